import type { Random } from '../../core/random.js';

/** What a balancer sees of an endpoint. */
export interface BalancerCandidate {
  /** Requests in flight to it right now. */
  readonly inFlight: number;
  /** Whether it may get new requests at `nowMs` (healthy, not ejected, not draining). */
  isAvailable(nowMs: number): boolean;
}

/**
 * Picks an endpoint inside one cluster. `avoid` (the endpoint a retry comes from) is only
 * chosen when nothing else is available. Returns -1 when no candidate is available.
 */
export interface Balancer {
  pick(candidates: readonly BalancerCandidate[], nowMs: number, avoid?: BalancerCandidate): number;
}

/** Builds a balancer for one cluster; randomness is injected. */
export type BalancerFactory = (random: Random) => Balancer;

/** How many candidates may be picked: available ones, minus `avoid` if another is available. */
export function countEligible(
  candidates: readonly BalancerCandidate[],
  nowMs: number,
  avoid: BalancerCandidate | undefined,
): { count: number; skipAvoid: boolean } {
  let count = 0;
  let avoidAvailable = false;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as BalancerCandidate;
    if (!c.isAvailable(nowMs)) continue;
    if (c === avoid) avoidAvailable = true;
    else count++;
  }
  if (count > 0) return { count, skipAvoid: true };
  return { count: avoidAvailable ? 1 : 0, skipAvoid: false };
}

/** The index of the `k`-th eligible candidate (0-based). */
export function nthEligible(
  candidates: readonly BalancerCandidate[],
  nowMs: number,
  avoid: BalancerCandidate | undefined,
  skipAvoid: boolean,
  k: number,
): number {
  let seen = 0;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as BalancerCandidate;
    if (!c.isAvailable(nowMs) || (skipAvoid && c === avoid)) continue;
    if (seen === k) return i;
    seen++;
  }
  return -1;
}
