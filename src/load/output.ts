import type { Window } from '../core/window.js';
import type { RunAggregate, SecondPoint, VuGauge } from './aggregate.js';
import type { LoadConfig } from './model.js';
import type { LoadSummary } from './summary.js';

/**
 * Everything after the sample stream is an output (k6's habit): the progress line, the
 * JSON summary file, the results store, the dashboard. Outputs only read.
 */
export interface RunInfo {
  startMs: number;
  plannedDurationMs: number;
  plannedMaxVus: number;
  scenarios: Array<{
    name: string;
    executor: string;
    startTimeMs: number;
    durationMs: number;
    maxVUs: number;
  }>;
  config: LoadConfig;
}

export interface SecondReport {
  /** Start of the second, ms since the epoch. */
  t: number;
  index: number;
  windows: Window[];
  vus: VuGauge[];
  point: SecondPoint;
  aggregate: RunAggregate;
}

export interface Output {
  readonly name: string;
  start(info: RunInfo): void | Promise<void>;
  write(second: SecondReport): void;
  stop(summary: LoadSummary): void | Promise<void>;
}
