import type { EncodedWindow } from '../core/window.js';
import type { VuGauge } from './aggregate.js';
import type { ExecutionSegment, LoadConfig } from './model.js';
import type { CheckTally } from './segment-runner.js';

/** Messages between the engine and its worker threads. */
export type ToWorker =
  | { type: 'start'; config: LoadConfig; segment: ExecutionSegment; runStartMs: number }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'tick'; completedSeconds: number; windows: EncodedWindow[]; vus: VuGauge[] }
  | { type: 'done'; checks: CheckTally[] }
  | { type: 'error'; message: string; code?: string; stack?: string };
