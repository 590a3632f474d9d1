import type { Random } from '../core/random.js';
import type { ExecutionSegment, StageConfig } from './model.js';
import { RateIntegral } from './stages.js';

/**
 * Start times of an open-model scenario, in ms from its start, for one execution segment.
 * Deterministic arrivals put start `n` where the cumulative rate reaches `n` (so a
 * constant 2,000/s for 20 s makes exactly 40,000 starts); Poisson arrivals put them where
 * it reaches a running sum of unit exponentials (a time-changed Poisson process). A
 * segment keeps every `count`-th deterministic start, or runs a Poisson process at
 * `1/count` of the rate (superposed Poisson processes are Poisson).
 */
export interface ArrivalSchedule {
  /** The next start time in ms, or undefined when the scenario's time is over. */
  next(): number | undefined;
}

export function arrivalSchedule(
  startRatePerSec: number,
  stages: readonly StageConfig[],
  segment: ExecutionSegment,
  poisson: boolean,
  random: Random,
): ArrivalSchedule {
  const integral = new RateIntegral(startRatePerSec, stages);
  let n = segment.index;
  let level = 0;
  return {
    next() {
      if (poisson) {
        level += random.exponential(segment.count);
        return integral.timeOf(level);
      }
      const t = integral.timeOf(n);
      n += segment.count;
      return t;
    },
  };
}

/** Stages for a constant rate over a duration (the zero-length first stage sets the level). */
export function constantRateStages(ratePerSec: number, durationMs: number): StageConfig[] {
  return [
    { durationMs: 0, target: ratePerSec },
    { durationMs, target: ratePerSec },
  ];
}
