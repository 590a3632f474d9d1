import type { Registry } from '../../core/registry.js';
import { type MetricDefinition, metricRegistry, type SecondOfGroup } from '../../regression/metrics.js';
import {
  type BadDirection,
  defaultJudgeOptions,
  type FamilyMember,
  judgeMetrics,
  type MetricJudgement,
} from '../../stats/verdict.js';

/**
 * The canary judge, Kayenta-style: canary against baseline over the same seconds, each
 * metric judged by the same code as `shakedown compare` (stats/verdict: Mann-Whitney U,
 * Hodges-Lehmann shift with its 98 % interval, tolerance, the dispersion check, Holm over
 * the family) and read with the same metric registry; then Kayenta's scoring on top:
 * metrics in groups, a group's score is the share of its judged metrics that passed, the
 * canary score (0–100) is the weighted mean of the group scores, a failed critical metric
 * fails the canary whatever the score, and the score against the pass and marginal
 * thresholds gives pass, marginal or fail. Pure.
 */
export interface JudgeMetricConfig {
  /** A metric of the registry: latency_p50_ms, latency_p99_ms, latency_mean_ms, error_rate… */
  metric: string;
  /** Its group (default: `latency` for latency metrics, `errors` for error_rate, else the name). */
  group?: string;
  /** Which change fails the canary (default: the registry's bad direction). */
  direction?: BadDirection;
  /** A failure of a critical metric fails the canary whatever the score. */
  critical?: boolean;
  /** Run the dispersion check on it (default: the registry's; off for the default p99). */
  dispersion?: boolean;
  /** Relative change allowed upwards / downwards (default: the judge's tolerance). */
  allowedIncrease?: number;
  allowedDecrease?: number;
}

export interface JudgeConfig {
  metrics: JudgeMetricConfig[];
  /** Relative weights of the groups; a group not named weighs 1. */
  groupWeights: Record<string, number>;
  /** Score at or above which the canary passes (0–100). */
  passScore: number;
  /** Score at or above which (and below pass) it is marginal: inconclusive, a person decides. */
  marginalScore: number;
  confidence: number;
  tolerance: number;
  minSamples: number;
  dispersionRatio: number;
}

/**
 * The default metrics. The typical latency (p50, with the dispersion check), the tail
 * (p99, without it: a canary's per-second p99 is read from a few dozen requests, nearly
 * their maximum, and its spread is too heavy-tailed for the rank test — 2 % false flags
 * on identical versions at 100 requests/s in bench/rollout), and the error rate, critical.
 * Scored latency 60 / errors 40, any latency failure gives 70 at most, below marginal:
 * with these defaults the verdict is pass or fail, and marginal needs metrics of one's own.
 */
export const defaultJudgeMetrics: JudgeMetricConfig[] = [
  { metric: 'latency_p50_ms' },
  { metric: 'latency_p99_ms', dispersion: false },
  { metric: 'error_rate', critical: true },
];

/**
 * Seconds each side needs before the judge decides: with fewer, even a total separation
 * cannot reach significance once Holm divides alpha among the family's tests (6 seconds
 * against 6 give p ≈ 0.004, times 7 tests), so a canary would pass on too little data.
 * Below it a metric is inconclusive, and the analysis' no-data policy decides.
 */
export const judgeMinSeconds = 10;

export const defaultJudgeConfig: JudgeConfig = {
  metrics: defaultJudgeMetrics,
  groupWeights: { latency: 60, errors: 40 },
  passScore: 90,
  marginalScore: 75,
  confidence: defaultJudgeOptions.confidence,
  tolerance: defaultJudgeOptions.tolerance,
  minSamples: judgeMinSeconds,
  dispersionRatio: defaultJudgeOptions.dispersionRatio,
};

export type CanaryVerdict = 'pass' | 'marginal' | 'fail' | 'no-data';

export interface JudgedMetric extends MetricJudgement {
  metric: string;
  unit: string;
  group: string;
  critical: boolean;
  /** Kayenta's classification: pass, high, low, or nodata. */
  classification: 'pass' | 'high' | 'low' | 'nodata';
}

export interface GroupScore {
  group: string;
  weight: number;
  /** Metrics judged (with data) and passed. */
  judged: number;
  passed: number;
  /** 0–100, or null when nothing in the group had data. */
  score: number | null;
}

export interface CanaryScore {
  verdict: CanaryVerdict;
  /** 0–100; null when no metric had data. */
  score: number | null;
  message: string;
  criticalFailures: string[];
  groups: GroupScore[];
  metrics: JudgedMetric[];
}

export function groupOf(m: JudgeMetricConfig): string {
  if (m.group) return m.group;
  if (m.metric.startsWith('latency_')) return 'latency';
  if (m.metric === 'error_rate') return 'errors';
  return m.metric;
}

/** Judges a canary's seconds against its baseline's. */
export function judgeCanary(
  baseline: readonly SecondOfGroup[],
  canary: readonly SecondOfGroup[],
  config: JudgeConfig = defaultJudgeConfig,
  registry: Registry<MetricDefinition> = metricRegistry(),
): CanaryScore {
  const defs = config.metrics.map((m) => registry.get(m.metric));
  const members: FamilyMember[] = config.metrics.map((m, i) => {
    const d = defs[i] as MetricDefinition;
    const values = (xs: readonly SecondOfGroup[]) =>
      xs.map((s) => d.value(s)).filter((v): v is number => v !== undefined);
    const tolerances: { increase?: number; decrease?: number } = {};
    if (m.allowedIncrease !== undefined) tolerances.increase = m.allowedIncrease;
    if (m.allowedDecrease !== undefined) tolerances.decrease = m.allowedDecrease;
    return {
      baseline: values(baseline),
      candidate: values(canary),
      spec: {
        badDirection: m.direction ?? d.badDirection,
        effect: d.effect,
        dispersion: m.dispersion ?? d.dispersion,
        tolerances,
      },
      options: { absoluteTolerance: d.absoluteTolerance },
    };
  });
  const judged = judgeMetrics(members, {
    confidence: config.confidence,
    tolerance: config.tolerance,
    minSamples: config.minSamples,
    dispersionRatio: config.dispersionRatio,
  });
  const metrics: JudgedMetric[] = judged.map((j, i) => {
    const m = config.metrics[i] as JudgeMetricConfig;
    const classification =
      j.verdict === 'inconclusive'
        ? 'nodata'
        : j.verdict === 'regressed'
          ? (j.effect?.estimate ?? 0) >= 0
            ? 'high'
            : 'low'
          : 'pass';
    return {
      ...j,
      metric: m.metric,
      unit: (defs[i] as MetricDefinition).unit,
      group: groupOf(m),
      critical: m.critical ?? false,
      classification,
    };
  });
  return scoreCanary(metrics, config);
}

/** Kayenta's scoring of classified metrics. */
export function scoreCanary(
  metrics: JudgedMetric[],
  config: Pick<JudgeConfig, 'groupWeights' | 'passScore' | 'marginalScore'>,
): CanaryScore {
  const names = [...new Set(metrics.map((m) => m.group))];
  const groups: GroupScore[] = names.map((g) => {
    const inGroup = metrics.filter((m) => m.group === g && m.classification !== 'nodata');
    const passed = inGroup.filter((m) => m.classification === 'pass').length;
    return {
      group: g,
      weight: config.groupWeights[g] ?? 1,
      judged: inGroup.length,
      passed,
      score: inGroup.length ? (100 * passed) / inGroup.length : null,
    };
  });
  const scored = groups.filter((g) => g.score !== null && g.weight > 0);
  const weight = scored.reduce((s, g) => s + g.weight, 0);
  const score =
    scored.length && weight > 0
      ? Math.round((scored.reduce((s, g) => s + g.weight * (g.score as number), 0) / weight) * 100) / 100
      : null;
  const failing = metrics.filter((m) => m.classification === 'high' || m.classification === 'low');
  const criticalFailures = failing.filter((m) => m.critical).map((m) => m.metric);
  const reasons = failing.map((m) => `${m.metric} ${m.reason}`).join('; ');
  if (score === null) {
    return {
      verdict: 'no-data',
      score,
      criticalFailures,
      groups,
      metrics,
      message: `no data to judge: ${metrics.map((m) => `${m.metric}: ${m.reason}`).join('; ')}`,
    };
  }
  const verdict: CanaryVerdict =
    criticalFailures.length > 0
      ? 'fail'
      : score >= config.passScore
        ? 'pass'
        : score >= config.marginalScore
          ? 'marginal'
          : 'fail';
  const head =
    criticalFailures.length > 0
      ? `critical metric${criticalFailures.length > 1 ? 's' : ''} ${criticalFailures.join(', ')} failed (score ${score})`
      : `score ${score} (pass ≥ ${config.passScore}, marginal ≥ ${config.marginalScore})`;
  return {
    verdict,
    score,
    criticalFailures,
    groups,
    metrics,
    message: reasons ? `${head}: ${reasons}` : head,
  };
}
