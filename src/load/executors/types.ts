import type { ExecutionSegment, ScenarioConfig } from '../model.js';
import type { ScenarioRuntime } from '../scenario-runtime.js';

/** One point of an executor's plan: from `offsetMs` on, this many VUs (and this rate). */
export interface ExecutionStep {
  offsetMs: number;
  plannedVUs: number;
  /** Starts per second, for arrival-rate executors. */
  ratePerSec?: number;
}

/** What an executor will do, known before it runs (k6's `plan()`). */
export interface ExecutorPlan {
  /** Time the executor runs before stopping (for iteration executors: the max duration). */
  durationMs: number;
  /** Extra time granted to in-flight iterations after `durationMs`. */
  gracefulStopMs: number;
  /** The most VUs this segment may use. */
  maxVUs: number;
  /** Iterations planned, when known in advance. */
  iterations?: number;
  steps: ExecutionStep[];
}

export interface ExecutorContext {
  rt: ScenarioRuntime;
  /** Aborted when the whole run must stop early (Ctrl-C, abortOnFail). */
  stop: AbortSignal;
}

export interface Executor {
  plan(): ExecutorPlan;
  run(ctx: ExecutorContext): Promise<void>;
}

export type ExecutorFactory<C extends ScenarioConfig = ScenarioConfig> = (
  config: C,
  segment: ExecutionSegment,
) => Executor;
