import type { EndpointAddress } from './address.js';
import type { BalancerCandidate } from './balancers/types.js';
import { type HealthState, newHealthState } from './health-state.js';
import { UpstreamPool } from './http1/upstream-pool.js';
import type { ServiceConfig } from './model.js';
import { newOutlierState, type OutlierState } from './outlier.js';

/** Where an endpoint came from: the spec, or registration at run time (fleet, admin API). */
export type EndpointSource = 'spec' | 'runtime';

/**
 * One upstream endpoint of a cluster: its keep-alive connection pool (the mesh's own
 * HTTP/1.1 client, one request per connection at a time, at most `maxConnections`
 * connections), its requests in flight,
 * health (active checks), outlier state (passive ejection) and drain state.
 */
export class Endpoint implements BalancerCandidate {
  inFlight = 0;
  draining = false;
  health: HealthState = newHealthState();
  readonly outlier: OutlierState = newOutlierState();
  /** Attempts sent, connect failures (incl. resets and timeouts), ejections: for metrics. */
  attempts = 0;
  connectErrors = 0;
  ejections = 0;
  readonly pool: UpstreamPool;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly address: EndpointAddress,
    readonly service: string,
    readonly version: string,
    readonly source: EndpointSource,
    config: Pick<ServiceConfig, 'circuitBreaker' | 'connectTimeoutMs' | 'idleTimeoutMs'>,
  ) {
    // Timeouts are set per request (per-try and overall), not per pool.
    this.pool = new UpstreamPool(address.host, address.port, {
      maxConnections: config.circuitBreaker.maxConnections,
      connectTimeoutMs: config.connectTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
    });
  }

  get id(): string {
    return this.address.text;
  }

  isAvailable(nowMs: number): boolean {
    return !this.draining && this.health.healthy && nowMs >= this.outlier.ejectedUntilMs;
  }

  /** Called by the upstream layer when an attempt on this endpoint ends. */
  attemptEnded(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  /**
   * Stops new requests to the endpoint and waits (at most `timeoutMs`) for those in flight.
   * Resolves with how many were still in flight at the end (0 when it drained).
   */
  drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    if (this.inFlight === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(this.inFlight);
      }, timeoutMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve(0);
      };
      this.idleWaiters.push(done);
    });
  }

  /** Closes the pool: gracefully (idle connections close, busy ones after their response), or at once. */
  async close(force = false): Promise<void> {
    this.draining = true;
    if (force) await this.pool.destroy();
    else await this.pool.close();
  }
}
