/**
 * The contract between analysis and the rollout controller (Argo Rollouts' habit): an
 * analysis takes measurements of each of its metrics and reports a phase; the controller
 * reads only the {@link AnalysisResult}, never raw metrics.
 *
 * Phases follow Argo's AnalysisRun: a measurement is `successful`, `failed`, `inconclusive`
 * (the data neither passes nor fails, e.g. a marginal canary score) or `error` (the
 * provider could not measure: unreachable, bad answer). A metric is `running` until its
 * count of measurements is taken or a limit is crossed.
 */
export type MeasurementPhase = 'successful' | 'failed' | 'inconclusive' | 'error';

export type AnalysisPhase = 'running' | 'successful' | 'failed' | 'inconclusive' | 'error';

/** What the analysis does when a provider returns no data (no requests, an empty query). */
export type NoDataPolicy = 'pass' | 'fail' | 'inconclusive';

export interface Measurement {
  /** ms since the epoch: the measured period (for the judge) or when the query ran. */
  startMs: number;
  endMs: number;
  phase: MeasurementPhase;
  /** The value the condition saw (a rate, a latency, the canary score); null without one. */
  value: number | string | boolean | null;
  /** One line for people: why this phase. */
  message: string;
  /** Provider-specific evidence (the judge's per-metric report). */
  detail?: unknown;
}

/** Argo's limits on a metric's measurements. */
export interface MetricLimits {
  /** Measurements to take; the metric succeeds when they are all taken within the limits. */
  count: number;
  /** Failed measurements tolerated (more fails the metric); Argo's default 0. */
  failureLimit: number;
  /** Inconclusive measurements tolerated (more makes the metric inconclusive); default 0. */
  inconclusiveLimit: number;
  /** Errors in a row tolerated (more makes the metric an error); Argo's default 4. */
  consecutiveErrorLimit: number;
}

export const defaultMetricLimits: Omit<MetricLimits, 'count'> = {
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
};

export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  message: string;
  measurements: Measurement[];
  successful: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
}

export interface AnalysisResult {
  /** The analysis' name (the step's template names, or `pre-promotion`…). */
  name: string;
  phase: AnalysisPhase;
  message: string;
  metrics: MetricResult[];
  startMs: number;
  endMs: number | null;
}

/** True once a phase can no longer change. */
export function isCompleted(phase: AnalysisPhase): boolean {
  return phase !== 'running';
}
