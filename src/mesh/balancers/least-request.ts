import type { Random } from '../../core/random.js';
import { type Balancer, type BalancerCandidate, countEligible, nthEligible } from './types.js';

/**
 * Least request by the power of two choices (Envoy's default for least_request): two
 * distinct available endpoints drawn at random, the one with fewer requests in flight wins
 * (the first drawn on a tie). Nearly as good as scanning for the global minimum, without
 * the herd effect of every proxy choosing the same idle endpoint.
 */
export class LeastRequestBalancer implements Balancer {
  constructor(private readonly random: Random) {}

  pick(candidates: readonly BalancerCandidate[], nowMs: number, avoid?: BalancerCandidate): number {
    const { count, skipAvoid } = countEligible(candidates, nowMs, avoid);
    if (count === 0) return -1;
    if (count === 1) return nthEligible(candidates, nowMs, avoid, skipAvoid, 0);
    const a = Math.floor(this.random.next() * count);
    let b = Math.floor(this.random.next() * (count - 1));
    if (b >= a) b++;
    const ia = nthEligible(candidates, nowMs, avoid, skipAvoid, a);
    const ib = nthEligible(candidates, nowMs, avoid, skipAvoid, b);
    const ca = candidates[ia] as BalancerCandidate;
    const cb = candidates[ib] as BalancerCandidate;
    return cb.inFlight < ca.inFlight ? ib : ia;
  }
}
