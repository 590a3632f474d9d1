/**
 * Time, injected. Decisions take a Clock so tests can drive time; I/O loops use
 * {@link systemClock}. `now()` is wall time in ms since the epoch; `monotonicMs()` is a
 * high-resolution time that never goes backwards within a thread and is what durations are
 * measured with. The system clock's monotonic time is epoch-aligned
 * (`performance.timeOrigin + performance.now()`), so worker threads share one time base.
 */
export interface Clock {
  now(): number;
  monotonicMs(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicMs: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) => sleepMs(ms, signal),
};

/** Sleeps `ms`, resolving early (not rejecting) when `signal` aborts. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A clock that only moves when told to; for tests of time-driven decisions. */
export class ManualClock implements Clock {
  private t: number;
  private mono = 0;
  private waiters: Array<{ at: number; resolve: () => void }> = [];

  constructor(startMs = 0) {
    this.t = startMs;
  }
  now(): number {
    return this.t;
  }
  monotonicMs(): number {
    return this.mono;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ at: this.mono + ms, resolve }));
  }
  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.t += ms;
    this.mono += ms;
    const due = this.waiters.filter((w) => w.at <= this.mono);
    this.waiters = this.waiters.filter((w) => w.at > this.mono);
    for (const w of due) w.resolve();
  }
}
