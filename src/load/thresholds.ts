import { usageError } from '../core/errors.js';
import type { ThresholdConfig } from './model.js';

/**
 * Thresholds in k6 syntax: `metric{tag:value,…}` with expressions such as `p(99)<250`,
 * `avg<100`, `med<=50`, `rate<0.01`, `count<1`. Parsing is strict (a malformed threshold
 * is a usage error naming it); evaluation is a pure function of metric values.
 */
export type MetricKind = 'trend' | 'rate' | 'counter' | 'gauge';

/** The metrics thresholds can name, with k6's names and kinds. Durations are in ms. */
export const thresholdMetrics: Record<string, { kind: MetricKind; description: string }> = {
  http_req_duration: { kind: 'trend', description: 'latency (ms), from the intended start in open models' },
  http_req_service_time: { kind: 'trend', description: 'service time (ms), actual send to response end' },
  http_req_failed: { kind: 'rate', description: 'share of requests that failed' },
  http_reqs: { kind: 'counter', description: 'requests completed' },
  iterations: { kind: 'counter', description: 'iterations completed' },
  dropped_iterations: { kind: 'counter', description: 'starts dropped for want of a VU' },
  checks: { kind: 'rate', description: 'share of checks that passed' },
  data_received: { kind: 'counter', description: 'bytes received' },
  data_sent: { kind: 'counter', description: 'bytes sent' },
  vus: { kind: 'gauge', description: 'active VUs' },
  vus_max: { kind: 'gauge', description: 'allocated VUs' },
};

const aggregationsByKind: Record<MetricKind, string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  rate: ['rate'],
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max'],
};

/** Tags a threshold may filter on; `name` is k6's alias for `request`. */
const filterTags: Record<string, 'scenario' | 'request' | 'zone'> = {
  scenario: 'scenario',
  request: 'request',
  name: 'request',
  zone: 'zone',
};

export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface ParsedThreshold {
  source: ThresholdConfig;
  metric: string;
  kind: MetricKind;
  filter: Partial<Record<'scenario' | 'request' | 'zone', string>>;
  /** `avg`, `min`, `max`, `med`, `p`, `count`, `rate`, `value`. */
  aggregation: string;
  /** For `p(N)`: N. */
  percentile?: number;
  op: Comparator;
  bound: number;
}

const metricRe = /^\s*([a-z_][a-z0-9_]*)\s*(?:\{([^}]*)\})?\s*$/;
const exprRe =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

function bad(t: ThresholdConfig, why: string, hint: string) {
  return usageError('E_THRESHOLD', `invalid threshold "${t.metric}: ${t.expr}": ${why}`, hint);
}

export function parseThreshold(t: ThresholdConfig): ParsedThreshold {
  const mm = metricRe.exec(t.metric);
  if (!mm) throw bad(t, 'malformed metric name', 'write it as metric or metric{tag:value}');
  const metric = mm[1] as string;
  const info = thresholdMetrics[metric];
  if (!info)
    throw bad(t, `unknown metric "${metric}"`, `known metrics: ${Object.keys(thresholdMetrics).join(', ')}`);
  const filter: ParsedThreshold['filter'] = {};
  if (mm[2] !== undefined) {
    for (const part of mm[2].split(',')) {
      const [k, ...rest] = part.split(':');
      const tag = filterTags[(k ?? '').trim()];
      const value = rest.join(':').trim();
      if (!tag || !value) {
        throw bad(
          t,
          `bad tag filter "${part.trim()}"`,
          'filter on scenario, request (or name) or zone, as {scenario:browse}',
        );
      }
      filter[tag] = value;
    }
  }
  const em = exprRe.exec(t.expr);
  if (!em) {
    throw bad(
      t,
      'malformed expression',
      `expected <aggregation> <op> <number>, such as p(99)<250; ${metric} allows ${aggregationsByKind[info.kind].join(', ')}`,
    );
  }
  const aggRaw = em[1] as string;
  const aggregation = aggRaw.startsWith('p(') ? 'p' : aggRaw;
  const allowed = aggregationsByKind[info.kind].map((a) => (a === 'p(N)' ? 'p' : a));
  if (!allowed.includes(aggregation)) {
    throw bad(
      t,
      `${metric} is a ${info.kind} metric and has no "${aggRaw}"`,
      `use one of: ${aggregationsByKind[info.kind].join(', ')}`,
    );
  }
  const percentile = em[2] !== undefined ? Number(em[2]) : undefined;
  if (percentile !== undefined && (percentile <= 0 || percentile > 100)) {
    throw bad(t, `percentile ${percentile} is outside (0, 100]`, 'use p(50), p(95), p(99.9) …');
  }
  return {
    source: t,
    metric,
    kind: info.kind,
    filter,
    aggregation,
    ...(percentile !== undefined ? { percentile } : {}),
    op: em[3] as Comparator,
    bound: Number(em[4]),
  };
}

export function compare(value: number, op: Comparator, bound: number): boolean {
  switch (op) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '==':
    case '===':
      return value === bound;
    case '!=':
      return value !== bound;
  }
}

/** The values a threshold can be judged on, for one filter. Undefined when not measured. */
export interface MetricReader {
  value(t: ParsedThreshold): number | undefined;
}

export interface ThresholdResult {
  metric: string;
  expr: string;
  ok: boolean;
  /** The observed value; null when there was no data. */
  value: number | null;
  abortOnFail: boolean;
}

/**
 * Judges thresholds. A threshold on a metric with no data passes, as in k6 — except
 * trend metrics with a filter that matches nothing, which fail (a typo in a scenario
 * name must not pass silently).
 */
export function evaluateThresholds(
  parsed: readonly ParsedThreshold[],
  reader: MetricReader,
): ThresholdResult[] {
  return parsed.map((p) => {
    const v = reader.value(p);
    const noData = v === undefined;
    const ok = noData ? Object.keys(p.filter).length === 0 : compare(v, p.op, p.bound);
    return {
      metric: p.source.metric,
      expr: p.source.expr,
      ok,
      value: noData ? null : v,
      abortOnFail: p.source.abortOnFail,
    };
  });
}
