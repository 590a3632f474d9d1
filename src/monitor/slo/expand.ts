import type { SloSpec } from './schema.js';

/**
 * Expands an SLO into Prometheus recording and alerting rules — multiwindow,
 * multi-burn-rate alerts as in Google's SRE workbook (and Sloth): a page when the error
 * rate burns the budget 14.4× over 1 h and 5 m, or 6× over 6 h and 30 m; a ticket at 3×
 * over 1 d and 2 h, or 1× over 3 d and 6 h. Error ratios are recorded once per window
 * (`slo:sli_error:ratio_rate<window>`, named by the nominal window, with the actual,
 * possibly scaled, window in the `slo_window` label).
 *
 * The output is the plain rule-file form (what `shakedown slo rules` writes and
 * `promtool check rules` checks); `watch` evaluates the same groups itself.
 */
export interface PlainRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PlainGroup {
  name: string;
  interval?: string;
  rules: PlainRule[];
}

const HOUR = 3_600_000;
const MIN = 60_000;

/** The burn-rate alert windows: long/short window and budget-burn factor. */
export const burnRateWindows = {
  page: [
    { longMs: HOUR, shortMs: 5 * MIN, factor: 14.4 },
    { longMs: 6 * HOUR, shortMs: 30 * MIN, factor: 6 },
  ],
  ticket: [
    { longMs: 24 * HOUR, shortMs: 2 * HOUR, factor: 3 },
    { longMs: 72 * HOUR, shortMs: 6 * HOUR, factor: 1 },
  ],
} as const;

/** Every window an error ratio is recorded for. */
export const sloWindowsMs = [5 * MIN, 30 * MIN, HOUR, 2 * HOUR, 6 * HOUR, 24 * HOUR, 72 * HOUR];

/** A Prometheus duration (`1h30m`, `417ms`) for milliseconds (rounded to 1 ms). */
export function formatPromDuration(ms: number): string {
  let rest = Math.max(1, Math.round(ms));
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', HOUR],
    ['m', MIN],
    ['s', 1000],
    ['ms', 1],
  ];
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out;
}

/** Prometheus's `le` label for a bound in seconds, as the Go and JS clients print it. */
export function leLabel(seconds: number): string {
  return String(Number(seconds.toPrecision(12)));
}

function errorRatioExpr(slo: SloSpec, window: string): string {
  if ('events' in slo.sli) {
    const sub = (q: string) => q.replaceAll('{{.window}}', window).trim();
    return `(${sub(slo.sli.events.errorQuery)})\n/\n(${sub(slo.sli.events.totalQuery)})`;
  }
  const { metric, selector, threshold } = slo.sli.latency;
  const inner = selector ? selector.slice(1, -1).trim() : '';
  const sel = (extra?: string) => `{${[inner, extra].filter(Boolean).join(',')}}`;
  const total = `sum(rate(${metric}_count${sel()}[${window}]))`;
  const good = `sum(rate(${metric}_bucket${sel(`le="${leLabel(threshold / 1000)}"`)}[${window}]))`;
  return `(${total} - ${good})\n/\n${total}`;
}

/** The rule groups of one SLO. */
export function expandSlo(slo: SloSpec): PlainGroup[] {
  const budget = 1 - slo.objective;
  const budgetText = String(Number(budget.toPrecision(12)));
  const sloLabels = { slo_name: slo.name, slo_service: slo.service, ...slo.labels };
  const selector = `{slo_name="${slo.name}", slo_service="${slo.service}"}`;
  const scaled = (ms: number) => formatPromDuration(ms * slo.windowScale);
  const nominal = (ms: number) => formatPromDuration(ms);

  const sli: PlainGroup = {
    name: `shakedown-slo-sli-recordings-${slo.name}`,
    rules: sloWindowsMs.map((w) => ({
      record: `slo:sli_error:ratio_rate${nominal(w)}`,
      expr: errorRatioExpr(slo, scaled(w)),
      labels: { ...sloLabels, slo_window: scaled(w) },
    })),
  };
  const meta: PlainGroup = {
    name: `shakedown-slo-meta-recordings-${slo.name}`,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${slo.objective})`, labels: sloLabels },
      { record: 'slo:error_budget:ratio', expr: `vector(${budgetText})`, labels: sloLabels },
      {
        record: 'slo:current_burn_rate:ratio',
        expr: `max(slo:sli_error:ratio_rate${nominal(5 * MIN)}${selector}) without (slo_window) / ${budgetText}`,
        labels: sloLabels,
      },
    ],
  };
  const alertName = slo.alerting?.name ?? `${pascal(slo.name)}HighErrorBudgetBurn`;
  const condition = (pairs: ReadonlyArray<{ longMs: number; shortMs: number; factor: number }>) =>
    pairs
      .map((p) => {
        const threshold = `(${p.factor} * ${budgetText})`;
        const at = (ms: number) =>
          `max(slo:sli_error:ratio_rate${nominal(ms)}${selector} > ${threshold}) without (slo_window)`;
        return `(\n  ${at(p.shortMs)}\n  and\n  ${at(p.longMs)}\n)`;
      })
      .join('\nor\n');
  const alerts: PlainRule[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const cfg = slo.alerting?.[severity];
    if (cfg?.disable) continue;
    const windows = burnRateWindows[severity];
    alerts.push({
      alert: alertName,
      expr: condition(windows),
      labels: { ...sloLabels, ...slo.alerting?.labels, severity, slo_severity: severity, ...cfg?.labels },
      annotations: {
        summary: `{{ $labels.slo_service }} SLO ${slo.name} is burning its error budget too fast`,
        description: `${slo.description ? `${slo.description}. ` : ''}Objective ${(slo.objective * 100).toPrecision(6).replace(/\.?0+$/, '')}%: the error ratio exceeds ${windows.map((w) => `${w.factor}× the budget over ${scaled(w.longMs)} and ${scaled(w.shortMs)}`).join(', or ')}.`,
        ...slo.alerting?.annotations,
      },
    });
  }
  return [sli, meta, { name: `shakedown-slo-alerts-${slo.name}`, rules: alerts }];
}

function pascal(name: string): string {
  return name
    .split(/[-_]/)
    .filter(Boolean)
    .map((p) => p[0]?.toUpperCase() + p.slice(1))
    .join('');
}
