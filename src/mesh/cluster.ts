import type { Balancer } from './balancers/types.js';
import type { Endpoint } from './endpoint.js';
import type { ServiceConfig } from './model.js';
import { isEjected } from './outlier.js';
import type { TrafficStats } from './stats.js';

/** The part of a service a cluster reads: its name and current configuration. */
export interface ClusterOwner {
  readonly name: string;
  readonly config: ServiceConfig;
}

/**
 * One version of a service (`v1`, `v2`, …): its endpoints, its balancer and the counters
 * circuit breaking and the retry budget are decided on. `index` is unique within a mesh
 * and addresses per-route statistics without a map lookup.
 */
export class Cluster {
  endpoints: Endpoint[] = [];
  /** Attempts in flight and those still waiting for a connection (circuit breaking). */
  attemptsInFlight = 0;
  pending = 0;
  /** Downstream requests routed here and retries in flight (retry budget). */
  activeRequests = 0;
  activeRetries = 0;
  readonly overflows = { 'max-requests': 0, 'max-pending': 0 };
  mirrored = 0;
  /** Per-route statistics, by route index. */
  readonly statsByRoute: Array<TrafficStats | undefined> = [];
  private panicCursor = 0;

  constructor(
    readonly index: number,
    readonly owner: ClusterOwner,
    readonly version: string,
    readonly balancer: Balancer,
  ) {}

  get service(): string {
    return this.owner.name;
  }

  /**
   * The endpoint for the next attempt. When no endpoint is available (all unhealthy or
   * ejected) the cluster is in panic, as Envoy's: any endpoint not draining is used rather
   * than failing every request on stale health information.
   */
  pick(nowMs: number, avoid: Endpoint | undefined): Endpoint | undefined {
    const eps = this.endpoints;
    const i = this.balancer.pick(eps, nowMs, avoid);
    if (i >= 0) return eps[i];
    const n = eps.length;
    for (let step = 0; step < n; step++) {
      const j = (this.panicCursor + step) % n;
      const e = eps[j] as Endpoint;
      if (!e.draining) {
        this.panicCursor = (j + 1) % n;
        return e;
      }
    }
    return undefined;
  }

  ejectedCount(nowMs: number): number {
    let n = 0;
    for (const e of this.endpoints) if (isEjected(e.outlier, nowMs)) n++;
    return n;
  }

  find(id: string): Endpoint | undefined {
    return this.endpoints.find((e) => e.id === id);
  }
}
