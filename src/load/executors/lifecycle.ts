import { sleepMs } from '../../core/clock.js';
import type { ExecutorContext } from './types.js';

/** What an executor's body uses to follow the end-of-run protocol. */
export interface StopControl {
  /** True once no new iterations may start. */
  readonly stopping: boolean;
  /** Runs `cb` when stopping begins (at once if it already has). */
  onStop(cb: () => void): void;
  /** Runs `cb` when the graceful stop is over and in-flight work is being aborted. */
  onHardStop(cb: () => void): void;
  /** Begins stopping now (an executor whose work ran out). */
  stopNow(): void;
}

/**
 * The shared end-of-run protocol of every executor: at `durationMs` (or when the run is
 * stopped) no new iterations start and thinking VUs wake; in-flight iterations get
 * `gracefulStopMs` to finish; then whatever is still in flight is aborted (and not
 * counted: it was interrupted by us, not failed by the target).
 */
export async function runWithGracefulStop(
  ctx: ExecutorContext,
  durationMs: number,
  gracefulStopMs: number,
  work: (control: StopControl) => Promise<void>,
): Promise<void> {
  let stopping = false;
  const stopCallbacks: Array<() => void> = [];
  const hardCallbacks: Array<() => void> = [];
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });
  const stopNow = () => {
    if (stopping) return;
    stopping = true;
    ctx.rt.wakeAll();
    for (const cb of stopCallbacks.splice(0)) cb();
    resolveStopped();
  };
  const control: StopControl = {
    get stopping() {
      return stopping;
    },
    onStop(cb) {
      if (stopping) cb();
      else stopCallbacks.push(cb);
    },
    onHardStop(cb) {
      hardCallbacks.push(cb);
    },
    stopNow,
  };
  const timer = setTimeout(stopNow, durationMs);
  if (ctx.stop.aborted) stopNow();
  ctx.stop.addEventListener('abort', stopNow, { once: true });
  const graceOver = new AbortController();
  const hardStop = stopped.then(async () => {
    await sleepMs(gracefulStopMs, graceOver.signal);
    if (graceOver.signal.aborted) return;
    for (const cb of hardCallbacks) cb();
    ctx.rt.abortInFlight();
  });
  try {
    await work(control);
  } finally {
    clearTimeout(timer);
    ctx.stop.removeEventListener('abort', stopNow);
    graceOver.abort();
    stopping = true;
    resolveStopped();
    await hardStop;
  }
}
