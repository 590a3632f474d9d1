import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Cluster } from './cluster.js';
import { Exchange, type ExchangeHost, localReply } from './exchange.js';
import { upstreamRequestHeaders } from './headers.js';
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
 * One HTTP/1.1 listener of the mesh (node:http). Requests are routed, given a version,
 * rewritten and handed to the filter chain as {@link Exchange}s. Bad input never reaches
 * a handler: node's strict parser (llhttp) rejects malformed request lines, conflicting
 * Content-Length / Transfer-Encoding and oversized headers, and this listener answers each
 * with a 400 and closes the connection; slow clients hit the header and request timeouts
 * (408). Draining stops accepting, closes idle keep-alive connections and sends
 * `Connection: close` on every response still to come.
 */
export class Listener implements ExchangeHost {
  readonly server: Server;
  routes: RouteRuntime[] = [];
  draining = false;
  /** Rejected before routing, by reason (`bad-request`, `timeout`, `http-version`…). */
  readonly badRequests = new Map<string, number>();
  unrouted = 0;
  private address: AddressInfo | undefined;

  constructor(
    public config: ListenerConfig,
    private readonly host: ListenerHost,
  ) {
    this.server = createServer(
      {
        maxHeaderSize: config.maxHeaderBytes,
        requireHostHeader: true,
        insecureHTTPParser: false,
        headersTimeout: config.headersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        keepAliveTimeout: config.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
        noDelay: true,
      },
      (req, res) => this.onRequest(req, res),
    );
    this.server.on('clientError', (err, socket) => this.onClientError(err, socket as Socket));
    this.server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      this.count('connect-method');
      socket.end(rawReply(405, 'CONNECT is not supported\n'));
    });
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
        resolve();
      });
    });
  }

  /** Applies changed limits to the running server (hot reload); the address cannot change. */
  applyConfig(config: ListenerConfig): void {
    this.config = config;
    this.server.headersTimeout = config.headersTimeoutMs;
    this.server.requestTimeout = config.requestTimeoutMs;
    this.server.keepAliveTimeout = config.keepAliveTimeoutMs;
  }

  /** Connections open right now (for metrics). */
  connections(): Promise<number> {
    return new Promise((resolve) => this.server.getConnections((_e, n) => resolve(n ?? 0)));
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
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([closed, late])) === 'late') {
      this.server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const startMs = this.host.now();
    if (req.httpVersionMajor !== 1) {
      this.count('http-version');
      req.resume();
      localReply(res, 400, 'bad-request', 'only HTTP/1.x is supported\n', true);
      return;
    }
    const url = originForm(req.url ?? '/');
    const raw = req.rawHeaders;
    const method = req.method as string;
    const route = matchRoute(this.routes, method, url, raw);
    if (route === undefined) {
      this.unrouted++;
      req.resume();
      localReply(res, 404, 'no-route', `no route for ${method} ${url.split('?')[0]}\n`, this.draining);
      return;
    }
    const cluster = route.service.choose(raw);
    if (cluster === undefined) {
      req.resume();
      localReply(
        res,
        503,
        'no-version',
        `service "${route.service.name}" has no version with weight\n`,
        this.draining,
      );
      return;
    }
    const ex = new Exchange(this, req, res, route, cluster, url, startMs);
    ex.headers = upstreamRequestHeaders(raw, req.socket.remoteAddress ?? '', ex);
    if (ex.contentLength <= 0 && !ex.chunked) {
      this.forward(ex);
      return;
    }
    const retry = route.config.retry;
    if (!ex.chunked && retry.attempts > 0 && ex.contentLength <= retry.bufferBytes) {
      // Small bodies are read whole first so that a retry can send them again.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        ex.body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        this.forward(ex);
      });
      return;
    }
    ex.body = req;
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

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT';
    this.count(timeout ? 'timeout' : code === 'HPE_HEADER_OVERFLOW' ? 'header-overflow' : 'bad-request');
    const reply = timeout
      ? rawReply(408, 'request timeout\n')
      : rawReply(
          400,
          `bad request: ${code === 'HPE_HEADER_OVERFLOW' ? 'header fields too large' : ((err as { reason?: string }).reason ?? code)}\n`,
        );
    const inFlight = (socket as unknown as { _httpMessage?: ServerResponse })._httpMessage;
    if (inFlight && !inFlight.writableFinished) {
      if (timeout || !inFlight.req?.complete) {
        // The request being answered is itself the bad or slow one: it is cut off (its
        // exchange sees the client go), with a 408/400 if nothing was sent yet.
        if (inFlight.headersSent) socket.destroy();
        else socket.end(reply);
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      }
      // A pipelined bad request behind a good one still being answered: that response
      // finishes first (without keep-alive), then the 400, then the connection closes.
      inFlight.shouldKeepAlive = false;
      inFlight.once('finish', () => {
        if (socket.writable) socket.end(reply);
        setTimeout(() => socket.destroy(), 1000).unref();
      });
      setTimeout(() => socket.destroy(), this.config.requestTimeoutMs + 1000).unref();
      return;
    }
    socket.end(reply);
    // A client that stops reading must not keep the socket.
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private count(reason: string): void {
    this.badRequests.set(reason, (this.badRequests.get(reason) ?? 0) + 1);
  }
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
};

function rawReply(status: number, body: string): string {
  return `HTTP/1.1 ${status} ${statusText[status] ?? ''}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-shakedown-reason: bad-request\r\n\r\n${body}`;
}
