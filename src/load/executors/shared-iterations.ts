import type { SharedIterationsConfig } from '../model.js';
import { countInSegment, globalIndex } from '../segment.js';
import { runWithGracefulStop } from './lifecycle.js';
import type { ExecutorFactory } from './types.js';

/**
 * k6's shared-iterations: `iterations` in total, shared by the VUs (a fast VU does more),
 * within maxDuration. Each segment owns its striped share of the iterations.
 */
export const sharedIterations: ExecutorFactory<SharedIterationsConfig> = (config, segment) => {
  const localVus = countInSegment(config.vus, segment);
  const localIterations = countInSegment(config.iterations, segment);
  return {
    plan: () => ({
      durationMs: config.maxDurationMs,
      gracefulStopMs: config.gracefulStopMs,
      maxVUs: localVus,
      iterations: localIterations,
      steps: [{ offsetMs: 0, plannedVUs: localVus }],
    }),
    run: (ctx) =>
      runWithGracefulStop(ctx, config.maxDurationMs, config.gracefulStopMs, async (flag) => {
        let taken = 0;
        const vus = Array.from({ length: localVus }, (_, i) => ctx.rt.createVu(globalIndex(i, segment)));
        await Promise.all(
          vus.map(async (vu) => {
            ctx.rt.vuStarted();
            try {
              await vu.loop(() => {
                if (flag.stopping || taken >= localIterations) return false;
                taken++;
                return true;
              });
            } finally {
              ctx.rt.vuFinished();
            }
          }),
        );
      }),
  };
};
