import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Cluster } from './cluster.js';
import { Exchange, type ExchangeHost, localReply } from './exchange.js';
import { upstreamRequestHeaders } from './headers.js';
import { ServerConnection, type ServerConnectionHost } from './http1/server-connection.js';
import type { ServerRequest } from './http1/server-request.js';
import type { ProxyDispatch } from './layers/types.js';
import { originForm } from './match.js';
import { MirrorRequest } from './mirror.js';
import type { ListenerConfig } from './model.js';
import { matchRoute, type RouteRuntime } from './route-runtime.js';
import type { TrafficStats } from './stats.js';
import type { MeshWindows } from './windows.js';

/** What a listener needs from the mesh. */
export interface ListenerHost {
  readonly recorder: MeshWindows;
  readonly dispatch: ProxyDispatch;
  readonly mirrorDispatch: ProxyDispatch;
  now(): number;
  statsFor(route: RouteRuntime, cluster: Cluster): TrafficStats;
}

/**
 * One HTTP/1.1 listener of the mesh, on the mesh's own HTTP/1.1 server codec
 * (src/mesh/http1: node:http cost about half of the proxy's CPU per request). Requests are
 * routed, given a version, rewritten and handed to the filter chain as {@link Exchange}s.
 * Bad input never reaches a handler: the head scanner rejects malformed request lines,
 * bare CR / LF, obs-fold, conflicting or duplicate Content-Length, Transfer-Encoding with
 * Content-Length or not ending in chunked, and oversized heads, and the listener answers
 * each with a 400 and closes the connection; slow clients hit the header and request
 * timeouts (408). Draining stops accepting, closes idle keep-alive connections and sends
 * `Connection: close` on every response still to come.
 */
export class Listener implements ExchangeHost, ServerConnectionHost {
  readonly server: Server;
  routes: RouteRuntime[] = [];
  draining = false;
  /** Rejected before routing, by reason (`bad-request`, `timeout`, `http-version`…). */
  readonly badRequests = new Map<string, number>();
  unrouted = 0;
  private address: AddressInfo | undefined;
  private readonly open = new Set<ServerConnection>();
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(
    public config: ListenerConfig,
    private readonly host: ListenerHost,
  ) {
    this.server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.onConnection(socket));
  }

  get recorder(): MeshWindows {
    return this.host.recorder;
  }

  now(): number {
    return this.host.now();
  }

  statsFor(route: RouteRuntime, cluster: Cluster): TrafficStats {
    return this.host.statsFor(route, cluster);
  }

  get name(): string {
    return this.config.name;
  }

  /** `http://host:port` once listening. */
  get url(): string {
    const a = this.address;
    if (!a) return '';
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        reject(
          new ShakedownError(
            'E_MESH_LISTEN',
            `listener "${this.name}" cannot listen on ${this.config.host}:${this.config.port}: ${e.code ?? e.message}`,
            { exitCode: ExitCode.environment, hint: 'choose another port, or 0 for a free one' },
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen({ host: this.config.host, port: this.config.port, backlog: 4096 }, () => {
        this.server.off('error', onError);
        this.address = this.server.address() as AddressInfo;
        this.startChecks();
        resolve();
      });
    });
  }

  /** Applies changed limits to the running listener (hot reload); the address cannot change. */
  applyConfig(config: ListenerConfig): void {
    this.config = config;
    if (this.checkTimer !== undefined) {
      clearInterval(this.checkTimer);
      this.startChecks();
    }
  }

  /** Connections open right now (for metrics). */
  connections(): Promise<number> {
    return Promise.resolve(this.open.size);
  }

  /**
   * Graceful drain: no new connections, idle keep-alive ones closed, `Connection: close`
   * on every response still to come; resolves when every connection is gone, or after
   * `timeoutMs` by closing what is left.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of [...this.open]) c.closeIfIdle();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([closed, late])) === 'late') {
      for (const c of [...this.open]) c.socket.destroy();
      await closed;
    }
    clearTimeout(timer);
    if (this.checkTimer !== undefined) clearInterval(this.checkTimer);
    this.checkTimer = undefined;
  }

  private startChecks(): void {
    const c = this.config;
    const everyMs = Math.max(
      50,
      Math.min(1000, Math.floor(Math.min(c.headersTimeoutMs, c.requestTimeoutMs, c.keepAliveTimeoutMs) / 4)),
    );
    this.checkTimer = setInterval(checkConnections, everyMs, this.open);
    this.checkTimer.unref();
  }

  private onConnection(socket: Socket): void {
    if (this.draining) {
      socket.destroy();
      return;
    }
    this.open.add(new ServerConnection(socket, this, performance.now()));
  }

  connectionClosed(conn: ServerConnection): void {
    this.open.delete(conn);
  }

  rejected(reason: string): void {
    this.badRequests.set(reason, (this.badRequests.get(reason) ?? 0) + 1);
  }

  onRequest(req: ServerRequest): void {
    const startMs = this.host.now();
    const url = originForm(req.url);
    const raw = req.rawHeaders;
    const method = req.method;
    const route = matchRoute(this.routes, method, url, raw);
    if (route === undefined) {
      this.unrouted++;
      localReply(req, 404, 'no-route', `no route for ${method} ${url.split('?')[0]}\n`, this.draining);
      return;
    }
    const cluster = route.service.choose(raw);
    if (cluster === undefined) {
      localReply(
        req,
        503,
        'no-version',
        `service "${route.service.name}" has no version with weight\n`,
        this.draining,
      );
      return;
    }
    const ex = new Exchange(this, req, route, cluster, url, startMs);
    ex.headers = upstreamRequestHeaders(raw, req.remoteAddress, ex);
    if (ex.contentLength <= 0 && !ex.chunked) {
      this.forward(ex);
      return;
    }
    const retry = route.config.retry;
    if (!ex.chunked && retry.attempts > 0 && ex.contentLength <= retry.bufferBytes) {
      // Small bodies are read whole first so that a retry can send them again.
      req.collectBody((body) => {
        ex.body = body;
        this.forward(ex);
      });
      return;
    }
    ex.body = req.bodyStream();
    this.forward(ex);
  }

  private forward(ex: Exchange): void {
    const mirror = ex.route.service.mirrorFor(ex.cluster);
    if (mirror !== undefined && (ex.body === null || Buffer.isBuffer(ex.body))) {
      const copy = new MirrorRequest(ex, mirror);
      this.host.mirrorDispatch(copy, copy);
    }
    this.host.dispatch(ex, ex);
  }
}

function checkConnections(open: Set<ServerConnection>): void {
  const now = performance.now();
  for (const c of open) c.check(now);
}
