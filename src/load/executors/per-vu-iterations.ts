import type { PerVuIterationsConfig } from '../model.js';
import { countInSegment, globalIndex } from '../segment.js';
import { runWithGracefulStop } from './lifecycle.js';
import type { ExecutorFactory } from './types.js';

/** k6's per-vu-iterations: each VU runs exactly `iterations` iterations, within maxDuration. */
export const perVuIterations: ExecutorFactory<PerVuIterationsConfig> = (config, segment) => {
  const local = countInSegment(config.vus, segment);
  return {
    plan: () => ({
      durationMs: config.maxDurationMs,
      gracefulStopMs: config.gracefulStopMs,
      maxVUs: local,
      iterations: local * config.iterations,
      steps: [{ offsetMs: 0, plannedVUs: local }],
    }),
    run: (ctx) =>
      runWithGracefulStop(ctx, config.maxDurationMs, config.gracefulStopMs, async (flag) => {
        const vus = Array.from({ length: local }, (_, i) => ctx.rt.createVu(globalIndex(i, segment)));
        await Promise.all(
          vus.map(async (vu) => {
            ctx.rt.vuStarted();
            let n = 0;
            try {
              await vu.loop(() => !flag.stopping && n++ < config.iterations);
            } finally {
              ctx.rt.vuFinished();
            }
          }),
        );
      }),
  };
};
