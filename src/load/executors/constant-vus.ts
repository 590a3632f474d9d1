import type { ConstantVusConfig } from '../model.js';
import { countInSegment, globalIndex } from '../segment.js';
import { runWithGracefulStop } from './lifecycle.js';
import type { ExecutorFactory } from './types.js';

/** k6's constant-vus: a fixed number of VUs loop iterations for a duration. */
export const constantVus: ExecutorFactory<ConstantVusConfig> = (config, segment) => {
  const local = countInSegment(config.vus, segment);
  return {
    plan: () => ({
      durationMs: config.durationMs,
      gracefulStopMs: config.gracefulStopMs,
      maxVUs: local,
      steps: [{ offsetMs: 0, plannedVUs: local }],
    }),
    run: (ctx) =>
      runWithGracefulStop(ctx, config.durationMs, config.gracefulStopMs, async (flag) => {
        const vus = Array.from({ length: local }, (_, i) => ctx.rt.createVu(globalIndex(i, segment)));
        await Promise.all(
          vus.map(async (vu) => {
            ctx.rt.vuStarted();
            try {
              await vu.loop(() => !flag.stopping);
            } finally {
              ctx.rt.vuFinished();
            }
          }),
        );
      }),
  };
};
