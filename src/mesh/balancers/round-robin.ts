import type { Balancer, BalancerCandidate } from './types.js';

/** Round robin over the available endpoints, in order, skipping unavailable ones. */
export class RoundRobinBalancer implements Balancer {
  private cursor = 0;

  pick(candidates: readonly BalancerCandidate[], nowMs: number, avoid?: BalancerCandidate): number {
    const n = candidates.length;
    let fallback = -1;
    for (let step = 0; step < n; step++) {
      const i = (this.cursor + step) % n;
      const c = candidates[i] as BalancerCandidate;
      if (!c.isAvailable(nowMs)) continue;
      if (c === avoid) {
        fallback = i;
        continue;
      }
      this.cursor = (i + 1) % n;
      return i;
    }
    if (fallback >= 0) this.cursor = (fallback + 1) % n;
    return fallback;
  }
}
