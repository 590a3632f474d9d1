import { constantRateStages } from '../arrivals.js';
import type { ConstantArrivalRateConfig } from '../model.js';
import { arrivalRateExecutor } from './arrival-rate.js';
import type { ExecutorFactory } from './types.js';

/** k6's constant-arrival-rate: starts at a fixed rate for a duration, whatever the target does. */
export const constantArrivalRate: ExecutorFactory<ConstantArrivalRateConfig> = (config, segment) =>
  arrivalRateExecutor(
    {
      startRatePerSec: config.ratePerSec,
      stages: constantRateStages(config.ratePerSec, config.durationMs),
      preAllocatedVUs: config.preAllocatedVUs,
      maxVUs: config.maxVUs,
      maxQueue: config.maxQueue,
      poisson: config.poisson,
      gracefulStopMs: config.gracefulStopMs,
    },
    segment,
  );
