import type { RampingVusConfig } from '../model.js';
import { countInSegment, globalIndex } from '../segment.js';
import { peakTarget, stagesDurationMs, targetAt } from '../stages.js';
import type { Vu } from '../vu.js';
import { runWithGracefulStop } from './lifecycle.js';
import type { ExecutionStep, ExecutorFactory } from './types.js';

const TICK_MS = 50;

/**
 * k6's ramping-vus: the number of looping VUs follows the stages. VUs above the target
 * finish their iteration and park (woken from think time at once); one still busy
 * `gracefulRampDown` later has its request aborted.
 */
export const rampingVus: ExecutorFactory<RampingVusConfig> = (config, segment) => {
  const durationMs = stagesDurationMs(config.stages);
  const maxLocal = countInSegment(Math.ceil(peakTarget(config.startVUs, config.stages)), segment);
  const desiredAt = (t: number) =>
    countInSegment(Math.floor(targetAt(config.startVUs, config.stages, t) + 1e-9), segment);

  return {
    plan: () => {
      const steps: ExecutionStep[] = [];
      let last = -1;
      for (let t = 0; t <= durationMs; t += 1000) {
        const v = desiredAt(t);
        if (v !== last) steps.push({ offsetMs: t, plannedVUs: v });
        last = v;
      }
      return { durationMs, gracefulStopMs: config.gracefulStopMs, maxVUs: maxLocal, steps };
    },
    run: (ctx) =>
      runWithGracefulStop(ctx, durationMs, config.gracefulStopMs, async (control) => {
        const rt = ctx.rt;
        const t0 = rt.clock.monotonicMs();
        const vus: Vu[] = [];
        const running = new Map<number, Promise<void>>();
        const rampedDownAt = new Map<number, number>();
        let desired = 0;
        const loop = async (i: number, vu: Vu) => {
          rt.vuStarted();
          try {
            await vu.loop(() => !control.stopping && i < desired);
          } finally {
            rt.vuFinished();
            running.delete(i);
            rampedDownAt.delete(i);
          }
        };
        const adjust = () => {
          const now = rt.clock.monotonicMs();
          const next = desiredAt(now - t0);
          if (next < desired) {
            for (let i = next; i < desired; i++) if (running.has(i)) rampedDownAt.set(i, now);
          }
          desired = next;
          for (let i = 0; i < desired; i++) {
            if (running.has(i)) continue;
            vus[i] ??= rt.createVu(globalIndex(i, segment));
            running.set(i, loop(i, vus[i] as Vu));
          }
          for (const [i, at] of rampedDownAt) {
            if (now - at >= config.gracefulRampDownMs) {
              vus[i]?.abortInFlight();
              rampedDownAt.delete(i);
            }
          }
        };
        adjust();
        const timer = setInterval(adjust, TICK_MS);
        control.onStop(() => clearInterval(timer));
        await new Promise<void>((resolve) => control.onStop(resolve));
        clearInterval(timer);
        while (running.size > 0) await Promise.all([...running.values()]);
      }),
  };
};
