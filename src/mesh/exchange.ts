import type { Readable } from 'node:stream';
import type { FailureClass } from '../core/window.js';
import type { Cluster } from './cluster.js';
import type { Endpoint } from './endpoint.js';
import { MeshError, type MeshReason, meshErrors } from './errors.js';
import { downstreamResponseHeaders, type RequestFacts } from './headers.js';
import type { ResponseOwner, ServerRequest } from './http1/server-request.js';
import { cancelRequest, type ProxyHandler, type ProxyRequest } from './layers/types.js';
import type { RetryConfig } from './model.js';
import type { RouteRuntime } from './route-runtime.js';
import type { TrafficStats } from './stats.js';
import type { MeshWindows } from './windows.js';

/** What an exchange needs from the listener that accepted it. */
export interface ExchangeHost {
  readonly draining: boolean;
  readonly recorder: MeshWindows;
  now(): number;
  statsFor(route: RouteRuntime, cluster: Cluster): TrafficStats;
}

const CLOSE = ['connection', 'close'] as const;

/**
 * One downstream request on its way through the proxy: the request context every layer
 * reads (a {@link ProxyRequest}) and the last handler of the chain, which writes the
 * upstream response to the client with backpressure, or the mesh's own reply when the
 * chain ends in an error. Records the request's statistics and window once it ends.
 */
export class Exchange implements ProxyRequest, ProxyHandler, RequestFacts, ResponseOwner {
  // RequestFacts, filled by the header rewrite.
  contentLength = -1;
  chunked = false;
  requestId = '';
  // ProxyRequest
  readonly method: string;
  readonly path: string;
  headers: string[] = [];
  body: Buffer | Readable | null = null;
  readonly routeName: string;
  readonly retry: RetryConfig;
  readonly timeoutMs: number;
  retriesDone = 0;
  attemptStartMs = 0;
  lastEndpoint: Endpoint | undefined;
  cancelled: MeshError | undefined;
  abortAttempt: ((err: Error) => void) | undefined;
  pendingCancel: ((err: MeshError) => void) | undefined;
  // Downstream side.
  private status = 0;
  private bytesOut = 0;
  private resume: (() => void) | undefined;
  private done = false;
  private failure: FailureClass | undefined;

  constructor(
    private readonly host: ExchangeHost,
    /** The downstream request, and its response. */
    readonly res: ServerRequest,
    readonly route: RouteRuntime,
    readonly cluster: Cluster,
    path: string,
    private readonly startMs: number,
  ) {
    this.method = res.method;
    this.path = path;
    this.routeName = route.config.name;
    this.retry = route.config.retry;
    this.timeoutMs = route.config.timeoutMs;
    cluster.activeRequests++;
    res.owner = this;
  }

  noteRetry(): void {
    this.host.statsFor(this.route, this.cluster).retries++;
  }

  onConnect(): void {}

  onHeaders(status: number, rawHeaders: string[], resume: () => void): boolean {
    if (status < 200 || this.done) return true;
    this.status = status;
    this.resume = resume;
    this.res.writeHead(status, downstreamResponseHeaders(rawHeaders, this.host.draining ? CLOSE : undefined));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    this.bytesOut += chunk.length;
    return this.res.write(chunk);
  }

  onComplete(): void {
    if (this.done) return;
    this.finish(this.status >= 500 ? 'status5xx' : undefined);
    this.res.end();
  }

  onError(err: Error): void {
    if (this.done) return;
    const e = err instanceof MeshError ? err : meshErrors.upstream(err.message);
    const res = this.res;
    if (e.reason === 'client-gone' || res.destroyed) {
      this.finish('other');
      return;
    }
    if (res.headersSent) {
      // The response was under way: all that can be said is to cut it short.
      this.finish(failureOf(e));
      res.destroy();
      return;
    }
    if (e.status === 0) {
      this.finish('reset');
      res.resetAndDestroy();
      return;
    }
    this.status = e.status;
    this.finish(failureOf(e));
    localReply(res, e.status, e.reason, `${e.message}\n`, this.host.draining, e.overflow);
  }

  /** Downstream went away before the response ended. */
  clientGone(): void {
    if (this.done) return;
    cancelRequest(this, meshErrors.clientGone());
    // Nothing was in flight to report back (e.g. the body was still being buffered).
    if (!this.done) this.finish('other');
  }

  /** Downstream can take more: let the upstream go on. */
  drained(): void {
    this.resume?.();
  }

  private finish(failure: FailureClass | undefined): void {
    this.done = true;
    this.failure = failure;
    const host = this.host;
    const end = host.now();
    const latencyMs = end - this.startMs;
    const serviceMs = this.attemptStartMs > 0 ? end - this.attemptStartMs : 0;
    const stats = host.statsFor(this.route, this.cluster);
    stats.record(this.status, latencyMs / 1000);
    host.recorder.record(
      stats.windowKey,
      latencyMs * 1000,
      serviceMs * 1000,
      Math.max(this.contentLength, 0),
      this.bytesOut,
      this.failure,
    );
    this.cluster.activeRequests--;
  }
}

function failureOf(e: MeshError): FailureClass {
  switch (e.failure) {
    case 'connect-failure':
      return 'connect';
    case 'reset':
      return 'reset';
    case 'timeout':
      return 'timeout';
    default:
      return e.reason === 'timeout'
        ? 'timeout'
        : e.status >= 500
          ? 'status5xx'
          : e.status >= 400
            ? 'status4xx'
            : 'other';
  }
}

/** A reply the mesh makes itself, with the reason header (and the overload header). */
export function localReply(
  res: ServerRequest,
  status: number,
  reason: MeshReason,
  body: string,
  close: boolean,
  overflow?: string,
): void {
  const headers = [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
    'x-shakedown-reason',
    reason,
  ];
  if (overflow !== undefined) headers.push('x-shakedown-overloaded', overflow);
  if (close) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}
