import { type Clock, sleepMs } from '../core/clock.js';
import { createRandom } from '../core/random.js';
import type { Window } from '../core/window.js';
import type { VuGauge } from './aggregate.js';
import { createExecutor } from './executors/registry.js';
import type { ExecutionSegment, LoadConfig } from './model.js';
import { Recorder } from './recorder.js';
import { ScenarioRuntime } from './scenario-runtime.js';

/**
 * Runs every scenario of a load config for one execution segment, in this thread, and
 * reports a tick after each second: the finished windows and the VU gauges. The same code
 * runs in-process (one worker) and inside each worker thread.
 */
export interface SegmentTick {
  /** Every second before this index is complete in this segment. */
  completedSeconds: number;
  windows: Window[];
  vus: VuGauge[];
}

export interface CheckTally {
  scenario: string;
  request: string;
  check: string;
  passes: number;
  fails: number;
}

export interface SegmentOptions {
  clock: Clock;
  /** Aborted to stop the run early; in-flight requests get their scenario's graceful stop. */
  stop: AbortSignal;
  onTick(tick: SegmentTick): void;
  windowMs?: number;
}

export async function runSegment(
  config: LoadConfig,
  segment: ExecutionSegment,
  runStartMs: number,
  opts: SegmentOptions,
): Promise<CheckTally[]> {
  const windowMs = opts.windowMs ?? 1000;
  const clock = opts.clock;
  const recorder = new Recorder(runStartMs, windowMs, () => clock.monotonicMs());
  const random = createRandom((config.seed ^ Math.imul(segment.index + 1, 0x9e3779b1)) >>> 0);
  const runtimes = config.scenarios.map(
    (s) => new ScenarioRuntime(s, segment, config.zones, recorder, clock, random.fork()),
  );

  const emit = (all: boolean) => {
    const windows = recorder.flush(all);
    const completedSeconds = all ? Number.POSITIVE_INFINITY : recorder.secondIndex();
    opts.onTick({
      completedSeconds,
      windows,
      vus: runtimes.map((rt) => ({
        scenario: rt.config.name,
        active: rt.takePeakActive(),
        allocated: rt.vus.length,
      })),
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const scheduleTick = () => {
    const elapsed = clock.monotonicMs() - runStartMs;
    const next = (Math.floor(elapsed / windowMs) + 1) * windowMs + 5;
    timer = setTimeout(
      () => {
        emit(false);
        scheduleTick();
      },
      Math.max(1, next - elapsed),
    );
  };

  await sleepMs(runStartMs - clock.monotonicMs(), opts.stop);
  scheduleTick();
  try {
    await Promise.all(
      runtimes.map(async (rt) => {
        const startIn = runStartMs + rt.config.startTimeMs - clock.monotonicMs();
        await sleepMs(startIn, opts.stop);
        if (opts.stop.aborted) return;
        await createExecutor(rt.config, segment).run({ rt, stop: opts.stop });
      }),
    );
  } finally {
    if (timer) clearTimeout(timer);
    await Promise.all(runtimes.map((rt) => rt.closeAll()));
  }
  emit(true);
  return runtimes.flatMap((rt) =>
    rt.requests.flatMap((req, ri) =>
      req.checks.map((c, ci) => ({
        scenario: rt.config.name,
        request: req.name,
        check: c.name,
        passes: rt.checkPasses[ri]?.[ci] ?? 0,
        fails: rt.checkFails[ri]?.[ci] ?? 0,
      })),
    ),
  );
}
