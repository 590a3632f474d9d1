/**
 * The normalized, serializable description of a load run: what the spec's `load:` section
 * or the CLI flags turn into, and what worker threads receive. Units are in the names.
 */

export interface StageConfig {
  durationMs: number;
  /** VUs for VU executors, starts per second for arrival-rate executors. */
  target: number;
}

export type ThinkConfig =
  | { type: 'none' }
  | { type: 'constant'; valueMs: number }
  | { type: 'uniform'; minMs: number; maxMs: number }
  | { type: 'exponential'; meanMs: number; maxMs?: number };

export interface CheckConfig {
  name: string;
  status?: number[];
  header?: string;
  body?: boolean;
  json?: string;
  equals?: string | number | boolean;
  contains?: string;
  matches?: string;
  exists?: boolean;
  maxDurationMs?: number;
}

export interface RequestConfig {
  name: string;
  weight: number;
  method: string;
  /** Absolute URL template, `{{var}}` placeholders. */
  url: string;
  headers: Record<string, string>;
  /** Body template (already JSON text for object bodies). */
  body?: string;
  /** True when the body is JSON and placeholders must be JSON-escaped. */
  bodyIsJson: boolean;
  /** Expected statuses; others are failures. Empty: 200–399. */
  expect: number[];
  checks: CheckConfig[];
  timeoutMs: number;
}

export interface DataConfig {
  rows: Array<Record<string, string>>;
  mode: 'per-vu' | 'per-iteration';
  order: 'sequential' | 'random';
}

interface ScenarioBase {
  name: string;
  startTimeMs: number;
  gracefulStopMs: number;
  think: ThinkConfig;
  requests: RequestConfig[];
  data?: DataConfig;
  cookies: boolean;
  /** Zone names this scenario's VUs come from; empty means all zones. */
  zones: string[];
}

export interface ConstantVusConfig extends ScenarioBase {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
export interface RampingVusConfig extends ScenarioBase {
  executor: 'ramping-vus';
  startVUs: number;
  stages: StageConfig[];
  gracefulRampDownMs: number;
}
interface ArrivalBase {
  preAllocatedVUs: number;
  maxVUs: number;
  poisson: boolean;
  /** Starts that may wait for a VU; beyond it they are dropped. */
  maxQueue: number;
}
export interface ConstantArrivalRateConfig extends ScenarioBase, ArrivalBase {
  executor: 'constant-arrival-rate';
  ratePerSec: number;
  durationMs: number;
}
export interface RampingArrivalRateConfig extends ScenarioBase, ArrivalBase {
  executor: 'ramping-arrival-rate';
  startRatePerSec: number;
  /** Stage targets are starts per second. */
  stages: StageConfig[];
}
export interface SharedIterationsConfig extends ScenarioBase {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface PerVuIterationsConfig extends ScenarioBase {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

export type ScenarioConfig =
  | ConstantVusConfig
  | RampingVusConfig
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig
  | SharedIterationsConfig
  | PerVuIterationsConfig;

export type ExecutorType = ScenarioConfig['executor'];

export interface ZoneConfig {
  name: string;
  share: number;
  latencyMs: number;
  jitterMs: number;
  loss: number;
}

export interface ThresholdConfig {
  /** Metric with optional tag filter, as written: `http_req_duration{scenario:browse}`. */
  metric: string;
  /** The expression, as written: `p(99)<250`. */
  expr: string;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

export interface LoadConfig {
  scenarios: ScenarioConfig[];
  zones: ZoneConfig[];
  thresholds: ThresholdConfig[];
  workers: number;
  seed: number;
  allowRemote: boolean;
}

/** Which share of the load one worker runs: every `count`-th VU and start, from `index`. */
export interface ExecutionSegment {
  index: number;
  count: number;
}

export const wholeSegment: ExecutionSegment = { index: 0, count: 1 };
