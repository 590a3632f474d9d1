import { connect, type Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import { type LinkOwner, ToxicLink } from './core/link.js';
import type { StageContext, Stream, ToxicStage } from './core/types.js';
import type { HostPort } from './host-port.js';

/** A toxic as a connection sees it: enough to build its stage and to draw its toxicity. */
export interface AppliedToxic {
  readonly id: number;
  readonly stream: Stream;
  readonly toxicity: number;
  makeStage(ctx: StageContext): ToxicStage;
  /** Called when the toxicity draw passed and the toxic acts on a connection. */
  acted(): void;
}

/** Options of a {@link TcpConnection}. */
export interface TcpConnectionOptions {
  id: number;
  client: Socket;
  upstream: HostPort;
  clock: Clock;
  random: Random;
  connectTimeoutMs: number;
  highWaterMarkBytes: number;
  /** The toxics in force when the upstream connection is made, in chain order. */
  toxics: () => readonly AppliedToxic[];
  /** Whether a toxic acts on this connection (Toxiproxy's toxicity draw). */
  draw: (toxicity: number, random: Random) => boolean;
  onConnectError: (error: Error) => void;
  onClosed: (connection: TcpConnection) => void;
}

/** A snapshot of one connection, for the admin API. */
export interface TcpConnectionInfo {
  id: number;
  client: string;
  upstream: string;
  state: TcpConnection['state'];
  startedAtMs: number;
  /** Per direction: bytes read, written, and held in the chain right now. */
  upstreamStream: { receivedBytes: number; sentBytes: number; bufferedBytes: number };
  downstreamStream: { receivedBytes: number; sentBytes: number; bufferedBytes: number };
  /** Ids of the toxics that act on this connection (those whose toxicity draw passed). */
  toxicIds: number[];
}

/**
 * One proxied connection: the client socket, the upstream socket, and a {@link ToxicLink}
 * each way. Half-closes pass through (a client's FIN reaches the server and the response
 * still flows back), which Toxiproxy does not do; a toxic that closes (`limit_data`,
 * `timeout`) closes both sides, and `reset_peer` resets both.
 */
export class TcpConnection implements LinkOwner {
  readonly id: number;
  readonly upstreamTarget: HostPort;
  readonly startedAtMs: number;
  state: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  private upstreamSocket: Socket | undefined;
  private readonly links = new Map<Stream, ToxicLink>();
  private readonly client: Socket;
  private readonly options: TcpConnectionOptions;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly clientAddress: string;
  private pendingClose: Array<() => void> = [];

  constructor(options: TcpConnectionOptions) {
    this.options = options;
    this.id = options.id;
    this.client = options.client;
    this.upstreamTarget = options.upstream;
    this.startedAtMs = options.clock.now();
    this.clientAddress = `${this.client.remoteAddress}:${this.client.remotePort}`;
  }

  /** Dials the upstream; data flows once it answers. */
  open(): void {
    const client = this.client;
    client.pause();
    client.setNoDelay(true);
    client.on('error', (e) => this.sourceFailed(e));
    client.on('close', () => this.socketClosed());
    const { host, port } = this.upstreamTarget;
    const upstream = connect({ host, port, allowHalfOpen: true, noDelay: true });
    this.upstreamSocket = upstream;
    const timer = setTimeout(() => {
      this.options.onConnectError(new Error(`connect to ${host}:${port} timed out`));
      this.destroy();
    }, this.options.connectTimeoutMs);
    upstream.once('connect', () => {
      clearTimeout(timer);
      if (this.state !== 'connecting') return;
      if (client.destroyed) {
        this.destroy();
        return;
      }
      this.state = 'open';
      this.startLinks(upstream);
      client.resume();
    });
    upstream.on('error', (e) => {
      clearTimeout(timer);
      if (this.state === 'connecting') this.options.onConnectError(e);
      this.sourceFailed(e);
    });
    upstream.on('close', () => {
      clearTimeout(timer);
      this.socketClosed();
    });
  }

  /** Starts a toxic on this connection if its toxicity draw passes. */
  applyToxic(toxic: AppliedToxic): void {
    const link = this.links.get(toxic.stream);
    if (!link || this.state !== 'open') return;
    const random = this.options.random.fork();
    if (!this.options.draw(toxic.toxicity, random)) return;
    toxic.acted();
    link.addStage(toxic.id, (ctx) => toxic.makeStage(ctx), random);
  }

  /** Removes a toxic from this connection; what it holds goes on unchanged. */
  removeToxic(toxic: { id: number; stream: Stream }): void {
    this.links.get(toxic.stream)?.removeStage(toxic.id);
  }

  /**
   * Closes both sides gracefully: what was written is flushed and a FIN sent each way; data
   * still inside toxics is dropped. Sockets still open after `graceMs` are destroyed.
   */
  close(graceMs = 1000): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.pendingClose.push(resolve));
    if (this.state === 'closing') return done;
    if (this.state === 'connecting') {
      this.destroy();
      return done;
    }
    this.state = 'closing';
    for (const link of this.links.values()) link.dispose();
    for (const s of this.sockets()) if (!s.destroyed) s.end();
    this.closeTimer = setTimeout(() => this.destroy(), graceMs);
    this.closeTimer.unref();
    return done;
  }

  /** Resets both sides: a TCP RST to each peer. */
  reset(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    for (const link of this.links.values()) link.dispose();
    for (const s of this.sockets()) {
      if (s.destroyed) continue;
      if (s.connecting || !s.remoteAddress) s.destroy();
      else s.resetAndDestroy();
    }
  }

  /** Destroys both sockets at once. */
  destroy(): void {
    for (const link of this.links.values()) link.dispose();
    if (this.state !== 'closed') this.state = 'closing';
    for (const s of this.sockets()) s.destroy();
  }

  fail(error: unknown): void {
    // A toxic threw: a bug. Tearing the connection down keeps the proxy serving others.
    process.emitWarning(`tcp toxic failed: ${error instanceof Error ? error.stack : String(error)}`);
    this.destroy();
  }

  linkEnded(stream: Stream, close: boolean): void {
    if (close) {
      void this.close();
      return;
    }
    const destination = stream === 'upstream' ? this.upstreamSocket : this.client;
    if (destination && !destination.destroyed) destination.end();
  }

  info(): TcpConnectionInfo {
    const view = (stream: Stream) => {
      const l = this.links.get(stream);
      return {
        receivedBytes: l?.receivedBytes ?? 0,
        sentBytes: l?.sentBytes ?? 0,
        bufferedBytes: l?.bufferedBytes ?? 0,
      };
    };
    return {
      id: this.id,
      client: this.clientAddress,
      upstream: `${this.upstreamTarget.host}:${this.upstreamTarget.port}`,
      state: this.state,
      startedAtMs: this.startedAtMs,
      upstreamStream: view('upstream'),
      downstreamStream: view('downstream'),
      toxicIds: [...this.links.values()].flatMap((l) => l.toxicIds()),
    };
  }

  /** Bytes per direction, for the proxy's totals. */
  bytes(stream: Stream): { receivedBytes: number; sentBytes: number } {
    const l = this.links.get(stream);
    return { receivedBytes: l?.receivedBytes ?? 0, sentBytes: l?.sentBytes ?? 0 };
  }

  private startLinks(upstream: Socket): void {
    const common = {
      clock: this.options.clock,
      owner: this,
      highWaterMarkBytes: this.options.highWaterMarkBytes,
    };
    const up = new ToxicLink({ ...common, stream: 'upstream', source: this.client, destination: upstream });
    const down = new ToxicLink({
      ...common,
      stream: 'downstream',
      source: upstream,
      destination: this.client,
    });
    this.links.set('upstream', up);
    this.links.set('downstream', down);
    for (const toxic of this.options.toxics()) this.applyToxic(toxic);
    up.start();
    down.start();
  }

  private sourceFailed(error: Error): void {
    if (this.state === 'closed') return;
    const code = (error as NodeJS.ErrnoException).code;
    // A reset from one peer is passed on as a reset to the other, so it sees what happened.
    if (code === 'ECONNRESET') this.reset();
    else this.destroy();
  }

  private sockets(): Socket[] {
    return this.upstreamSocket ? [this.client, this.upstreamSocket] : [this.client];
  }

  private socketClosed(): void {
    if (this.state === 'closed') return;
    const all = this.sockets();
    if (!all.every((s) => s.destroyed)) {
      // A socket that closed after FINs both ways is done; the other side finishes on its
      // own (a delayed response may still be on its way). One that vanished without them
      // can get nothing more, so the other side is closed too.
      const abrupt = all.some((s) => s.destroyed && !(s.readableEnded && s.writableFinished));
      if (abrupt && this.state === 'connecting') this.destroy();
      else if (abrupt && this.state === 'open') void this.close();
      return;
    }
    this.state = 'closed';
    if (this.closeTimer) clearTimeout(this.closeTimer);
    for (const link of this.links.values()) link.dispose();
    for (const resolve of this.pendingClose.splice(0)) resolve();
    this.options.onClosed(this);
  }
}
