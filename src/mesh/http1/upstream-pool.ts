// Written by hand, not with node:http / undici (the project writes by hand only what no
// good library does, and says why): on the proxy's hot path node:http (server side) and
// undici (upstream pools) cost about half of its CPU per request. Measured back to back on
// the 2-core bench machine (wrk, 50 connections, nginx upstream, same routing, retries,
// statistics and windows): 45-61 µs of CPU per proxied request on node:http + undici (user
// 26-42 µs), 25-27 µs on this codec (user 11-13 µs). bench/RESULTS.md compares with HAProxy.
// In place of undici's Pool: keep-alive reuse, a connection cap and a FIFO queue are all
// the mesh asks of it.
import {
  type ConnectionOwner,
  UpstreamCall,
  UpstreamConnection,
  type UpstreamHandler,
  type UpstreamRequest,
  UpstreamSocketError,
} from './upstream-connection.js';

export interface UpstreamPoolOptions {
  /** At most this many connections; requests beyond wait for one (FIFO). */
  maxConnections: number;
  connectTimeoutMs: number;
  /** An idle connection is closed after this long. */
  idleTimeoutMs: number;
}

/**
 * The keep-alive connection pool of one upstream endpoint: an idle connection is reused
 * (the most recently used first), a new one is opened while under `maxConnections`, and
 * otherwise the request waits for the first connection to come free. Idle connections
 * are closed after `idleTimeoutMs` (checked by one timer per pool) or when the upstream
 * closes them.
 */
export class UpstreamPool implements ConnectionOwner {
  private readonly all = new Set<UpstreamConnection>();
  private readonly idleList: UpstreamConnection[] = [];
  private readonly queue: UpstreamCall[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private closedWaiters: Array<() => void> = [];

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: UpstreamPoolOptions,
  ) {}

  get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs;
  }

  /** Connections established (idle or busy), for metrics. */
  get connected(): number {
    let n = 0;
    for (const c of this.all) if (c.connected) n++;
    return n;
  }

  dispatch(req: UpstreamRequest, handler: UpstreamHandler): void {
    const call = new UpstreamCall(req, handler);
    if (this.closing) {
      call.fail(new UpstreamSocketError('UND_ERR_CLOSED', 'pool closed'));
      return;
    }
    // The most recently used idle connection first. One idle for the whole idle timeout
    // (the sweep runs only every so often) may be about to be closed by the upstream too:
    // closed here instead of sent on, so a request does not meet the upstream's close.
    for (let idle = this.idleList.pop(); idle !== undefined; idle = this.idleList.pop()) {
      if (
        this.options.idleTimeoutMs > 0 &&
        performance.now() - idle.idleSinceMs >= this.options.idleTimeoutMs
      ) {
        idle.destroy();
        continue;
      }
      idle.start(call);
      return;
    }
    if (this.all.size < this.options.maxConnections) {
      this.all.add(new UpstreamConnection(this, call));
      return;
    }
    this.queue.push(call);
  }

  released(conn: UpstreamConnection): void {
    while (this.queue.length > 0) {
      const call = this.queue.shift() as UpstreamCall;
      if (call.done) continue;
      conn.start(call);
      return;
    }
    if (this.closing) {
      conn.destroy();
      return;
    }
    conn.idleSinceMs = performance.now();
    this.idleList.push(conn);
    if (this.sweepTimer === undefined && this.options.idleTimeoutMs > 0) {
      const everyMs = Math.max(50, Math.min(1000, Math.floor(this.options.idleTimeoutMs / 2)));
      this.sweepTimer = setInterval(sweep, everyMs, this);
      this.sweepTimer.unref();
    }
  }

  closed(conn: UpstreamConnection): void {
    this.all.delete(conn);
    const i = this.idleList.indexOf(conn);
    if (i >= 0) this.idleList.splice(i, 1);
    if (this.queue.length > 0) {
      const call = this.queue.shift() as UpstreamCall;
      this.all.add(new UpstreamConnection(this, call));
    }
    this.settle();
  }

  /** Closes idle connections that have been idle longer than the idle timeout. */
  sweep(): void {
    const limit = performance.now() - this.options.idleTimeoutMs;
    for (const c of [...this.idleList]) if (c.idleSinceMs <= limit) c.destroy();
    if (this.idleList.length === 0 && this.sweepTimer !== undefined) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }

  /** Graceful: idle connections close now, busy ones after their response, queued requests are still sent. */
  close(): Promise<void> {
    this.closing = true;
    for (const c of [...this.idleList]) c.destroy();
    return this.whenEmpty();
  }

  /** At once: every connection is destroyed and every request fails. */
  destroy(): Promise<void> {
    this.closing = true;
    const queued = this.queue.splice(0);
    for (const call of queued) call.fail(new UpstreamSocketError('UND_ERR_DESTROYED', 'pool destroyed'));
    for (const c of [...this.all]) c.destroy();
    return this.whenEmpty();
  }

  private whenEmpty(): Promise<void> {
    if (this.sweepTimer !== undefined) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
    if (this.all.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  private settle(): void {
    if (!this.closing || this.all.size > 0 || this.queue.length > 0) return;
    const ws = this.closedWaiters;
    this.closedWaiters = [];
    for (const w of ws) w();
  }
}

function sweep(pool: UpstreamPool): void {
  pool.sweep();
}
