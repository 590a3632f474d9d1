import type { NoDataPolicy } from './analysis/model.js';

/**
 * A rollout as the controller runs it, whether it came from the spec's `rollout:` section
 * or from flags: which service moves from which version to which, the strategy as a list
 * of steps, the analyses those steps run, and the limits around them. Durations in ms,
 * shares in [0, 1], weights in percent of traffic (0–100).
 */
export interface HeaderRoute {
  /** Lower-case header name, or… */
  header?: string;
  /** …a cookie name. */
  cookie?: string;
  equals?: string;
  matches?: string;
  present?: boolean;
}

export interface AnalysisMetricSpec {
  name: string;
  provider: { type: string } & Record<string, unknown>;
  intervalMs: number;
  count: number;
  initialDelayMs: number;
  successCondition?: string;
  failureCondition?: string;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  noData: NoDataPolicy;
}

export interface AnalysisSpec {
  /** The template names it came from, or `inline`. */
  name: string;
  metrics: AnalysisMetricSpec[];
}

export type Step =
  | { kind: 'setWeight'; weight: number }
  /** `durationMs` null: until `rollout promote`. */
  | { kind: 'pause'; durationMs: number | null }
  | { kind: 'analysis'; analysis: AnalysisSpec }
  /** null: remove the header route. */
  | { kind: 'setHeaderRoute'; match: HeaderRoute | null }
  /** 0: stop mirroring. */
  | { kind: 'setMirror'; fraction: number };

export interface LoadDuring {
  /** A scenario of the spec's `load:` section, or… */
  scenario?: string;
  /** …one URL (a path is relative to the listener). */
  url?: string;
  /** The mesh listener the load goes to (default: the first). */
  listener?: string;
  ratePerSec?: number;
  vus?: number;
  maxVus?: number;
  headers: Record<string, string>;
  workers: number;
}

export interface CanaryStrategy {
  type: 'canary';
  steps: Step[];
  /** Runs from the first step to promotion; a failure aborts at any step (Argo's background analysis). */
  background?: AnalysisSpec;
}

export interface BlueGreenStrategy {
  type: 'blueGreen';
  /** Test traffic to the preview by header (default `x-preview: 1`). */
  previewRoute: HeaderRoute | null;
  /** A share of live traffic copied to the preview (responses dropped); 0: none. */
  previewMirror: number;
  prePromotion?: AnalysisSpec;
  postPromotion?: AnalysisSpec;
  /** false: wait for `rollout promote` before the switch. */
  autoPromotion: boolean;
  autoPromotionDelayMs: number;
}

export interface RolloutSpec {
  service: string;
  /** The version rolled out. */
  version: string;
  /** Default: the version with the highest weight in the mesh when the rollout starts. */
  stableVersion?: string;
  /** Replicas of the new version (default: the stable's desired count). */
  replicas?: number;
  /** Mesh routes whose traffic the analysis reads (default: every route to the service). */
  routes?: string[];
  strategy: CanaryStrategy | BlueGreenStrategy;
  progressDeadlineMs: number;
  /** After promotion, how long the old stable stays scaled (a rollback is one weight change meanwhile). */
  scaleDownDelayMs: number;
  /** After an abort, how long the canary stays scaled (for inspection) before it is stopped. */
  abortScaleDownDelayMs: number;
  load?: LoadDuring;
  notifiers: Array<{ type: string } & Record<string, unknown>>;
}
