import { availableParallelism } from 'node:os';

/**
 * Defaults that depend on the machine or on other settings, in one place so the README
 * and `--help` can state them.
 */

/** Worker threads: half the cores (the rest is for the system under test when it is local), 1–8. */
export function defaultWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.min(8, Math.floor(cores / 2)));
}

/** Pre-allocated VUs of an arrival-rate scenario: enough for 100 ms responses at the peak rate, at least 10. */
export function defaultPreAllocatedVus(peakRatePerSec: number): number {
  return Math.max(10, Math.ceil(peakRatePerSec / 10));
}

/** Starts that may wait for a VU: two seconds of starts at the peak rate, at least the pool size. */
export function defaultMaxQueue(peakRatePerSec: number, maxVus: number): number {
  return Math.max(maxVus, Math.ceil(peakRatePerSec * 2));
}

export const defaultRequestTimeoutMs = 60_000;
export const defaultGracefulStopMs = 30_000;
export const defaultQuickDurationMs = 10_000;
