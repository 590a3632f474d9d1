import { Registry } from '../core/registry.js';
import type { Verdict } from '../stats/verdict.js';
import type { ComparisonReport, MetricComparison } from './compare-runs.js';

/**
 * How a comparison is written out: `text` for terminals, `json` for machines, `markdown`
 * for pull-request comments, `junit` for CI test reports (one test case per metric and
 * group; regressions are failures, inconclusive metrics are skipped). A registry, so a
 * format is one entry.
 */
export interface ComparisonDocument {
  report: ComparisonReport;
  baseline: { id: string; source: string };
  candidate: { id: string; source: string };
}

export type ComparisonFormatter = (doc: ComparisonDocument) => string;

const word: Record<Verdict, string> = {
  pass: 'pass',
  regressed: 'REGRESSED',
  improved: 'improved',
  inconclusive: 'inconclusive',
};

function num(x: number | null | undefined, unit = ''): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  const s =
    a === 0
      ? '0'
      : a >= 1000
        ? x.toFixed(0)
        : a >= 10
          ? x.toFixed(1)
          : a >= 0.01
            ? x.toFixed(3)
            : x.toExponential(2);
  return unit === 'ratio' ? `${(100 * x).toFixed(a < 0.001 ? 3 : 2)} %` : s;
}

function signedPct(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '+∞ %' : '−∞ %';
  return `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
}

function interval(m: MetricComparison): string {
  if (!m.effect) return '–';
  return `[${num(m.effect.lower, m.unit)}, ${num(m.effect.upper, m.unit)}]`;
}

function pText(p: number | null): string {
  if (p === null) return '–';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

function groupsOf(r: ComparisonReport): Map<string, MetricComparison[]> {
  const by = new Map<string, MetricComparison[]>();
  for (const m of r.metrics) {
    const list = by.get(m.groupLabel) ?? [];
    list.push(m);
    by.set(m.groupLabel, list);
  }
  return by;
}

function header(d: ComparisonDocument): string[] {
  const o = d.report.options;
  return [
    `baseline   ${d.baseline.id}  (${d.baseline.source}, ${d.report.baseline.seconds} s)`,
    `candidate  ${d.candidate.id}  (${d.candidate.source}, ${d.report.candidate.seconds} s)`,
    `confidence ${+(100 * o.confidence).toFixed(2)} % family-wise (Holm over ${d.report.tests} tests), tolerance ${+(100 * o.tolerance).toFixed(2)} %, per-second values`,
  ];
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  return cells.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd(),
  );
}

const text: ComparisonFormatter = (d) => {
  const lines = [...header(d), ''];
  for (const [label, ms] of groupsOf(d.report)) {
    lines.push(label);
    const rows = [
      [
        '  metric',
        'baseline',
        'candidate',
        'shift',
        `${+(100 * d.report.options.confidence).toFixed(2)} % interval`,
        'p',
        'verdict',
      ],
    ];
    for (const m of ms) {
      rows.push([
        `  ${m.metric}`,
        num(m.baseline.median, m.unit),
        num(m.candidate.median, m.unit),
        m.effect ? signedPct(m.effect.relative) : '–',
        interval(m),
        pText(m.decisionPValue),
        word[m.verdict],
      ]);
    }
    lines.push(...pad(rows));
    for (const m of ms) {
      if (m.verdict === 'regressed' || m.verdict === 'inconclusive' || m.dispersionFlagged)
        lines.push(`    ${m.metric}: ${m.reason}`);
      if (m.bootstrap && m.verdict === 'regressed') {
        const b = m.bootstrap;
        lines.push(
          `    ${m.metric}: whole-run p${b.percentile} ${num(b.baseline / 1000)} → ${num(b.candidate / 1000)} ms, Δ ${num(b.difference / 1000)} ms [${num(b.lower / 1000)}, ${num(b.upper / 1000)}] (bootstrap, ${b.iterations} resamples)`,
        );
      }
    }
    lines.push('');
  }
  const r = d.report;
  lines.push(
    `verdict: ${word[r.verdict]}${r.regressions.length ? ` — ${r.regressions.join(', ')}` : ''}` +
      ` (${r.counts.regressed} regressed, ${r.counts.improved} improved, ${r.counts.pass} passed, ${r.counts.inconclusive} inconclusive)`,
  );
  return `${lines.join('\n')}\n`;
};

const markdown: ComparisonFormatter = (d) => {
  const r = d.report;
  const icon: Record<Verdict, string> = {
    pass: 'pass',
    regressed: '**REGRESSED**',
    improved: 'improved',
    inconclusive: '_inconclusive_',
  };
  const lines = [
    `### shakedown compare: ${icon[r.verdict]}`,
    '',
    `Baseline \`${d.baseline.id}\` (${d.baseline.source}) → candidate \`${d.candidate.id}\` (${d.candidate.source}).`,
    `Confidence ${+(100 * r.options.confidence).toFixed(2)} % family-wise (Holm over ${d.report.tests} tests), tolerance ${+(100 * r.options.tolerance).toFixed(2)} %.`,
    '',
    '| group | metric | baseline | candidate | shift | interval | p | verdict |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const m of r.metrics) {
    lines.push(
      `| ${m.groupLabel} | \`${m.metric}\` | ${num(m.baseline.median, m.unit)} | ${num(m.candidate.median, m.unit)} | ${m.effect ? signedPct(m.effect.relative) : '–'} | ${interval(m)} | ${pText(m.decisionPValue)} | ${icon[m.verdict]} |`,
    );
  }
  if (r.regressions.length)
    lines.push('', `Regressions: ${r.regressions.map((x) => `\`${x}\``).join(', ')}.`);
  return `${lines.join('\n')}\n`;
};

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

const junit: ComparisonFormatter = (d) => {
  const r = d.report;
  const cases = r.metrics.map((m) => {
    const name = xml(m.metric);
    const cls = xml(`shakedown.compare.${m.groupLabel}`);
    const body =
      m.verdict === 'regressed'
        ? `<failure message="${xml(m.reason)}" type="regression">${xml(`${m.metric} (${m.groupLabel}): ${m.reason}`)}</failure>`
        : m.verdict === 'inconclusive'
          ? `<skipped message="${xml(m.reason)}"/>`
          : `<system-out>${xml(m.reason)}</system-out>`;
    return `    <testcase classname="${cls}" name="${name}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="shakedown compare" tests="${r.metrics.length}" failures="${r.counts.regressed}" skipped="${r.counts.inconclusive}">`,
    `  <testsuite name="${xml(`${d.baseline.id} → ${d.candidate.id}`)}" tests="${r.metrics.length}" failures="${r.counts.regressed}" skipped="${r.counts.inconclusive}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
};

const json: ComparisonFormatter = (d) =>
  `${JSON.stringify(
    {
      verdict: d.report.verdict,
      regressions: d.report.regressions,
      baseline: { ...d.baseline, seconds: d.report.baseline.seconds },
      candidate: { ...d.candidate, seconds: d.report.candidate.seconds },
      tests: d.report.tests,
      options: d.report.options,
      counts: d.report.counts,
      metrics: d.report.metrics,
    },
    (_k, v) =>
      typeof v === 'number' && !Number.isFinite(v)
        ? Number.isNaN(v)
          ? null
          : v > 0
            ? 'Infinity'
            : '-Infinity'
        : v,
    2,
  )}\n`;

/** The formats of `compare --format`. */
export function comparisonFormats(): Registry<ComparisonFormatter> {
  return new Registry<ComparisonFormatter>('format')
    .register('text', text)
    .register('json', json)
    .register('markdown', markdown)
    .register('junit', junit);
}
