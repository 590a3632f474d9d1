import { Registry } from '../core/registry.js';
import { type Buckets, meanOf, percentileOf } from '../stats/buckets.js';
import type { BadDirection, EffectMeasure } from '../stats/verdict.js';

/**
 * The metrics `compare` and `trend` judge, as a registry keyed by name: each says how to
 * read one value from one second of a group (merged latency buckets and counters), which
 * change is bad, and how its effect is measured. Adding a metric is one entry here.
 */
export interface SecondOfGroup {
  /** Merged latency of the second, in µs buckets; total 0 when nothing completed. */
  latency: Buckets;
  requests: number;
  errors: number;
  durationMs: number;
}

export interface MetricDefinition {
  name: string;
  unit: string;
  description: string;
  badDirection: BadDirection;
  effect: EffectMeasure;
  /** Whether growth of spread counts (off for zero-inflated values). */
  dispersion: boolean;
  /** Smallest absolute change that counts, in `unit` (on top of the relative tolerance). */
  absoluteTolerance: number;
  /** For latency percentiles: the percentile, so the bootstrap can compare whole runs. */
  percentile?: number;
  /** The value of one second, or undefined when it has none (no completed requests). */
  value(s: SecondOfGroup): number | undefined;
}

/**
 * Latency shifts under half a millisecond are not regressions, however significant: at
 * sub-millisecond latencies a fresh process (cold JIT, new connections) is tens of per
 * cent slower for a while, which no user sees (a canary of identical code failed on
 * +0.1–0.3 ms at a 0.2 ms p50 without this floor).
 */
const latencyAbsoluteToleranceMs = 0.5;

const latencyPercentile = (p: number): MetricDefinition => ({
  name: `latency_p${p}_ms`,
  unit: 'ms',
  description: `p${p} latency of each second`,
  badDirection: 'increase',
  effect: 'hodges-lehmann',
  dispersion: true,
  absoluteTolerance: latencyAbsoluteToleranceMs,
  percentile: p,
  value: (s) => (s.latency.total > 0 ? percentileOf(s.latency, p) / 1000 : undefined),
});

/** The default metric registry. */
export function metricRegistry(): Registry<MetricDefinition> {
  const r = new Registry<MetricDefinition>('metric');
  for (const p of [50, 90, 99]) {
    const m = latencyPercentile(p);
    r.register(m.name, m);
  }
  r.register('latency_mean_ms', {
    name: 'latency_mean_ms',
    unit: 'ms',
    description: 'mean latency of each second',
    badDirection: 'increase',
    effect: 'hodges-lehmann',
    dispersion: true,
    absoluteTolerance: latencyAbsoluteToleranceMs,
    value: (s) => (s.latency.total > 0 ? meanOf(s.latency) / 1000 : undefined),
  });
  r.register('error_rate', {
    name: 'error_rate',
    unit: 'ratio',
    description: 'failed / completed requests of each second',
    badDirection: 'increase',
    // Errors are rare and bursty: most seconds have none, so a median shift stays 0 while
    // the rate doubles. The difference of means is the effect; Mann-Whitney still tests it.
    effect: 'mean',
    dispersion: false,
    absoluteTolerance: 0.001,
    value: (s) => (s.requests > 0 ? s.errors / s.requests : undefined),
  });
  r.register('throughput_rps', {
    name: 'throughput_rps',
    unit: 'req/s',
    description: 'completed requests per second',
    badDirection: 'decrease',
    effect: 'hodges-lehmann',
    dispersion: true,
    absoluteTolerance: 0,
    value: (s) => s.requests / (s.durationMs / 1000),
  });
  return r;
}

/** The metrics compared by default, in report order. */
export const defaultMetricNames = [
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p99_ms',
  'latency_mean_ms',
  'error_rate',
  'throughput_rps',
] as const;
