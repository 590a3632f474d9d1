import type { Readable } from 'node:stream';
import type { Cluster } from './cluster.js';
import type { Endpoint } from './endpoint.js';
import type { MeshError } from './errors.js';
import type { Exchange } from './exchange.js';
import type { ProxyHandler, ProxyRequest } from './layers/types.js';
import type { RetryConfig } from './model.js';

/**
 * A mirrored copy of a request (Envoy's request mirroring): sent once to the mirror
 * version, marked `x-shakedown-mirror: 1`, its response read and dropped. It is its own
 * handler. Requests whose body is streamed are not mirrored (the body can be read once).
 */
export class MirrorRequest implements ProxyRequest, ProxyHandler {
  readonly method: string;
  readonly path: string;
  readonly headers: string[];
  body: Buffer | Readable | null;
  readonly routeName: string;
  readonly retry: RetryConfig;
  readonly timeoutMs: number;
  retriesDone = 0;
  attemptStartMs = 0;
  lastEndpoint: Endpoint | undefined;
  cancelled: MeshError | undefined;
  abortAttempt: ((err: Error) => void) | undefined;
  pendingCancel: ((err: MeshError) => void) | undefined;

  constructor(
    source: Exchange,
    readonly cluster: Cluster,
  ) {
    this.method = source.method;
    this.path = source.path;
    this.headers = [...source.headers, 'x-shakedown-mirror', '1'];
    this.body = source.body;
    this.routeName = source.routeName;
    this.retry = source.route.mirrorRetry;
    this.timeoutMs = 0;
    cluster.mirrored++;
  }

  noteRetry(): void {}
  onConnect(): void {}
  onHeaders(): boolean {
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {}
  onError(): void {}
}
