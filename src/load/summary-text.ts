import type { LatencySummaryMs } from '../core/histogram.js';
import type { GroupSummary } from './aggregate.js';
import type { LoadSummary } from './summary.js';

/**
 * The console summary, in the spirit of k6's compact end-of-test summary: thresholds
 * first (with the observed value), then totals, then per scenario and per zone.
 */
export interface SummaryTextOptions {
  color: boolean;
}

export function formatSummary(s: LoadSummary, opts: SummaryTextOptions = { color: false }): string {
  const c = (code: string, t: string) => (opts.color ? `\x1b[${code}m${t}\x1b[0m` : t);
  const ok = (b: boolean) => (b ? c('32', '✓') : c('31', '✗'));
  const lines: string[] = [];
  const dot = (label: string, value: string) => `    ${label.padEnd(24, '.')}: ${value}`;

  if (s.thresholds.length) {
    lines.push(`  ${ok(s.thresholds.every((t) => t.ok))} THRESHOLDS`, '');
    for (const t of s.thresholds) {
      const v = t.value === null ? 'no data' : formatThresholdValue(t.metric, t.expr, t.value);
      lines.push(`    ${t.metric}`, `    ${ok(t.ok)} '${t.expr}' ${v}`, '');
    }
  }

  lines.push('  TOTAL RESULTS', '');
  if (s.checks.passed + s.checks.failed > 0) {
    const n = s.checks.passed + s.checks.failed;
    lines.push(dot('checks_succeeded', `${pct(s.checks.passed / n)} ${s.checks.passed} out of ${n}`));
    for (const ch of s.checks.list) {
      lines.push(
        `      ${ok(ch.fails === 0)} ${ch.scenario} › ${ch.request} › ${ch.check}${ch.fails ? `  (${ch.fails} failed)` : ''}`,
      );
    }
  }
  lines.push(dot('http_req_duration', trend(s.latencyMs)));
  lines.push(dot('http_req_service_time', trend(s.serviceTimeMs)));
  lines.push(dot('http_req_failed', `${pct(s.errorRate)} ${s.errors} out of ${s.requests}`));
  const classes = Object.entries(s.errorsByClass).filter(([, n]) => n > 0);
  if (classes.length) lines.push(dot('  by class', classes.map(([k, n]) => `${k}=${n}`).join(' ')));
  lines.push(dot('http_reqs', `${s.requests} ${s.rps.toFixed(1)}/s`));
  lines.push(dot('iterations', `${s.iterations}`));
  lines.push(dot('dropped_iterations', `${s.droppedIterations}`));
  lines.push(dot('vus', `${s.vus} peak active, ${s.vusMax} allocated`));
  lines.push(
    dot('data_received', `${bytes(s.bytesIn)} ${bytes(s.bytesIn / Math.max(s.durationS, 0.001))}/s`),
  );
  lines.push(dot('data_sent', `${bytes(s.bytesOut)} ${bytes(s.bytesOut / Math.max(s.durationS, 0.001))}/s`));
  lines.push('');

  const scenarios = Object.entries(s.byScenario);
  if (scenarios.length > 1 || scenarios.some(([, v]) => Object.keys(v.byRequest).length > 1)) {
    lines.push('  BY SCENARIO', '');
    for (const [name, g] of scenarios) {
      lines.push(`    ${name}: ${group(g)}`);
      const reqs = Object.entries(g.byRequest);
      if (reqs.length > 1) for (const [r, rg] of reqs) lines.push(`      ${r}: ${group(rg)}`);
    }
    lines.push('');
  }
  const zones = Object.entries(s.byZone);
  if (zones.length > 0) {
    lines.push('  BY ZONE', '');
    for (const [name, g] of zones) lines.push(`    ${name}: ${group(g)}`);
    lines.push('');
  }
  const how =
    s.abortedBy === 'interrupted'
      ? ' (interrupted)'
      : s.abortedBy === 'threshold'
        ? ' (aborted by threshold)'
        : '';
  lines.push(`  status: ${s.status}${how}, ${s.durationS.toFixed(1)}s`);
  return `${lines.join('\n')}\n`;
}

function trend(l: LatencySummaryMs): string {
  return `avg=${ms(l.mean)} min=${ms(l.min)} med=${ms(l.p50)} p(90)=${ms(l.p90)} p(95)=${ms(l.p95)} p(99)=${ms(l.p99)} max=${ms(l.max)}`;
}

function group(g: GroupSummary): string {
  return `${g.requests} req, ${g.rps.toFixed(1)}/s, errors ${pct(g.errorRate)}, p50=${ms(g.latencyMs.p50)} p99=${ms(g.latencyMs.p99)}${g.droppedIterations ? `, dropped ${g.droppedIterations}` : ''}`;
}

function formatThresholdValue(metric: string, expr: string, v: number): string {
  const agg = expr.replace(/\s*(<=|>=|===|==|!=|<|>).*$/, '');
  if (metric.startsWith('http_req_duration') || metric.startsWith('http_req_service_time'))
    return `${agg}=${ms(v)}`;
  if (
    agg === 'rate' &&
    !metric.startsWith('http_reqs') &&
    !metric.startsWith('iterations') &&
    !metric.startsWith('data_')
  ) {
    return `${agg}=${pct(v)}`;
  }
  return `${agg}=${Number.isInteger(v) ? v : v.toFixed(2)}`;
}

export function ms(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(2)}s`;
  if (v >= 1) return `${v.toFixed(2)}ms`;
  return `${(v * 1000).toFixed(0)}µs`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function bytes(b: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = b;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
