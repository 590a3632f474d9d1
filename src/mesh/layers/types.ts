import type { Readable } from 'node:stream';
import type { Cluster } from '../cluster.js';
import type { Endpoint } from '../endpoint.js';
import type { MeshError } from '../errors.js';
import type { RetryConfig } from '../model.js';

/**
 * The proxy's filters follow undici's shape: every layer wraps a dispatch function, and a
 * layer that must see the response wraps the handler (a decorator). The handler interface
 * is undici's raw-header one (with header names and values as strings, names lower-case),
 * which the mesh's own upstream pool (src/mesh/http1) calls directly.
 */
export interface ProxyHandler {
  /** An attempt got a connection and is being written; `abort` cancels it. */
  onConnect(abort: (err?: Error) => void): void;
  /** Response head (`[name, value, …]`, names lower-case); return false to pause the upstream until `resume`. */
  onHeaders(status: number, rawHeaders: string[], resume: () => void, statusText: string): boolean;
  /** A body chunk; return false to pause the upstream. */
  onData(chunk: Buffer): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
}

/** What the layers know of a downstream request. One per request, shared by its attempts. */
export interface ProxyRequest {
  readonly method: string;
  /** Origin-form request target. */
  readonly path: string;
  /** Raw headers as sent upstream. */
  readonly headers: string[];
  body: Buffer | Readable | null;
  readonly routeName: string;
  readonly retry: RetryConfig;
  /** Overall timeout of the route, ms; 0: none. */
  readonly timeoutMs: number;
  /** The version chosen for this request. */
  readonly cluster: Cluster;
  retriesDone: number;
  /** When the last attempt was sent (monotonic ms), for service time. */
  attemptStartMs: number;
  /** The endpoint of the last attempt (a retry avoids it). */
  lastEndpoint: Endpoint | undefined;
  /** Set when the exchange is over before its response (timeout, client gone, stop). */
  cancelled: MeshError | undefined;
  /** Aborts the attempt in flight; set by the upstream layer while one is. */
  abortAttempt: ((err: Error) => void) | undefined;
  /** Cancels a timer a layer waits on (backoff, fault delay), continuing with the error. */
  pendingCancel: ((err: MeshError) => void) | undefined;
  /** Counts a retry in the route's statistics. */
  noteRetry(): void;
}

export type ProxyDispatch = (req: ProxyRequest, handler: ProxyHandler) => void;
export type ProxyLayer = (next: ProxyDispatch) => ProxyDispatch;

/** Forwards everything; layers override what they need (undici's DecoratorHandler). */
export class DecoratorHandler implements ProxyHandler {
  constructor(protected readonly handler: ProxyHandler) {}
  onConnect(abort: (err?: Error) => void): void {
    this.handler.onConnect(abort);
  }
  onHeaders(status: number, rawHeaders: string[], resume: () => void, statusText: string): boolean {
    return this.handler.onHeaders(status, rawHeaders, resume, statusText);
  }
  onData(chunk: Buffer): boolean {
    return this.handler.onData(chunk);
  }
  onComplete(trailers: string[] | null): void {
    this.handler.onComplete(trailers);
  }
  onError(err: Error): void {
    this.handler.onError(err);
  }
}

/** Ends an exchange early: aborts the attempt in flight or the timer a layer waits on. */
export function cancelRequest(req: ProxyRequest, err: MeshError): void {
  if (req.cancelled) return;
  req.cancelled = err;
  const abort = req.abortAttempt;
  if (abort) {
    req.abortAttempt = undefined;
    abort(err);
    return;
  }
  const pending = req.pendingCancel;
  if (pending) {
    req.pendingCancel = undefined;
    pending(err);
  }
}

/** Composes layers, outermost first, around the innermost dispatch. */
export function compose(layers: readonly ProxyLayer[], inner: ProxyDispatch): ProxyDispatch {
  let d = inner;
  for (let i = layers.length - 1; i >= 0; i--) d = (layers[i] as ProxyLayer)(d);
  return d;
}
