import type { RampingArrivalRateConfig } from '../model.js';
import { arrivalRateExecutor } from './arrival-rate.js';
import type { ExecutorFactory } from './types.js';

/** k6's ramping-arrival-rate: the start rate follows the stages (linear between targets). */
export const rampingArrivalRate: ExecutorFactory<RampingArrivalRateConfig> = (config, segment) =>
  arrivalRateExecutor(
    {
      startRatePerSec: config.startRatePerSec,
      stages: config.stages,
      preAllocatedVUs: config.preAllocatedVUs,
      maxVUs: config.maxVUs,
      maxQueue: config.maxQueue,
      poisson: config.poisson,
      gracefulStopMs: config.gracefulStopMs,
    },
    segment,
  );
