import { arrivalSchedule } from '../arrivals.js';
import type { ExecutionSegment, StageConfig } from '../model.js';
import { countInSegment } from '../segment.js';
import { peakTarget, stagesDurationMs, targetAt } from '../stages.js';
import { runWithGracefulStop } from './lifecycle.js';
import { OpenPool } from './open-pool.js';
import type { ExecutionStep, Executor } from './types.js';

/** What the two arrival-rate executors share: a rate curve, a VU pool and a queue. */
export interface ArrivalRateSettings {
  startRatePerSec: number;
  stages: StageConfig[];
  preAllocatedVUs: number;
  maxVUs: number;
  maxQueue: number;
  poisson: boolean;
  gracefulStopMs: number;
}

/**
 * An open-model executor: starts are scheduled at their due times whatever the target
 * does (the schedule never waits for responses). Due starts are handed to the pool in
 * batches on each timer wake, so a late timer costs latency (which is measured), never
 * starts. When the schedule is over, queued and in-flight starts get the graceful stop to
 * finish; queued starts left after it are counted as dropped.
 */
export function arrivalRateExecutor(s: ArrivalRateSettings, segment: ExecutionSegment): Executor {
  const durationMs = stagesDurationMs(s.stages);
  const localPre = countInSegment(s.preAllocatedVUs, segment);
  const localMax = Math.max(localPre, countInSegment(s.maxVUs, segment));
  const localQueue = Math.ceil(s.maxQueue / segment.count);
  return {
    plan: () => {
      const steps: ExecutionStep[] = [];
      for (let t = 0; t < durationMs; t += 1000) {
        steps.push({
          offsetMs: t,
          plannedVUs: localPre,
          ratePerSec: targetAt(s.startRatePerSec, s.stages, t) / segment.count,
        });
      }
      return { durationMs, gracefulStopMs: s.gracefulStopMs, maxVUs: localMax, steps };
    },
    // The schedule ends the executor; the duration timer is only a backstop.
    run: (ctx) =>
      runWithGracefulStop(ctx, durationMs + 1000, s.gracefulStopMs, async (control) => {
        const rt = ctx.rt;
        const pool = new OpenPool(rt, segment, localPre, localMax, localQueue);
        control.onHardStop(() => pool.close());
        const schedule = arrivalSchedule(s.startRatePerSec, s.stages, segment, s.poisson, rt.random.fork());
        const t0 = rt.clock.monotonicMs();
        let next = schedule.next();
        await new Promise<void>((resolve) => {
          let timer: NodeJS.Timeout | undefined;
          control.onStop(() => {
            if (timer) clearTimeout(timer);
            resolve();
          });
          const tick = () => {
            timer = undefined;
            if (control.stopping) return;
            const elapsed = rt.clock.monotonicMs() - t0;
            while (next !== undefined && next <= elapsed) {
              pool.start(t0 + next);
              next = schedule.next();
            }
            if (next === undefined) {
              control.stopNow();
              return;
            }
            timer = setTimeout(tick, Math.max(0, next - elapsed));
          };
          tick();
        });
        await pool.drained();
        pool.close();
      }),
  };
}

export function peakRate(s: Pick<ArrivalRateSettings, 'startRatePerSec' | 'stages'>): number {
  return peakTarget(s.startRatePerSec, s.stages);
}
