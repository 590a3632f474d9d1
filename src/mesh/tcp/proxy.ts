import { createServer, type Server, type Socket } from 'node:net';
import { type Clock, systemClock } from '../../core/clock.js';
import { ShakedownError, usageError } from '../../core/errors.js';
import type { EventSink } from '../../core/event.js';
import { ExitCode } from '../../core/exit-codes.js';
import { createRandom, type Random } from '../../core/random.js';
import type { Registry } from '../../core/registry.js';
import { isLoopbackHost } from '../../load/target-policy.js';
import { TcpConnection, type TcpConnectionInfo } from './connection.js';
import { createToxicRegistry } from './core/registry.js';
import { drawToxicity } from './core/toxicity.js';
import { type Stream, streams, type ToxicType } from './core/types.js';
import { formatHostPort, type HostPort, parseHostPort } from './host-port.js';
import {
  ToxicCollection,
  type ToxicEntry,
  type ToxicInfo,
  type ToxicInput,
  type ToxicRemovalReason,
} from './toxic-collection.js';

/** What happens to open connections when the upstream is repointed. */
export type UpstreamChangePolicy = 'close' | 'keep' | 'reset';

/** Options of a {@link TcpProxy}. */
export interface TcpProxyOptions {
  /** Names the listener in events, metrics and the admin API. */
  name: string;
  /** Default `127.0.0.1:0` (a free port). */
  listen?: string | number | HostPort;
  upstream: string | number | HostPort;
  /** `false` starts it down (Toxiproxy's `enabled`). Default true. */
  enabled?: boolean;
  /** Default `close` (as Toxiproxy, which drops connections when the upstream changes). */
  onUpstreamChange?: UpstreamChangePolicy;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Bytes one direction of a connection may hold before reading pauses. Default 1 MiB. */
  highWaterMarkBytes?: number;
  /** Connections beyond this are closed at once. Default 10,000. */
  maxConnections?: number;
  /** How long closing waits for peers before destroying sockets. Default 1 s. */
  closeGraceMs?: number;
  /** Allow a non-loopback listen address or upstream. Default false (safe by default). */
  allowRemote?: boolean;
  clock?: Clock;
  random?: Random;
  /** Toxic types; default {@link createToxicRegistry}. */
  registry?: Registry<ToxicType>;
  /** Receives `mesh.tcp.*` events: toxics added / removed, down / up, upstream changed. */
  events?: EventSink;
}

/** Counters of a listener since it started. */
export interface TcpProxyStats {
  connectionsActive: number;
  connectionsTotal: number;
  /** Upstream connections that failed or timed out. */
  connectErrors: number;
  /** Connections closed at once because `maxConnections` were open. */
  connectionsRejected: number;
  /** client → server bytes: read from clients, written to the upstream. */
  upstream: { receivedBytes: number; sentBytes: number };
  /** server → client bytes: read from the upstream, written to clients. */
  downstream: { receivedBytes: number; sentBytes: number };
}

/** The state of a listener, for the admin API. */
export interface TcpProxyState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicInfo[];
  stats: TcpProxyStats;
}

/**
 * A TCP listener with Toxiproxy's semantics: every accepted connection is piped to one
 * upstream (repointable at run time, for database failover), through a chain of toxics per
 * direction. Toxics added or removed apply to open connections too; `disable()` is
 * Toxiproxy's `enabled: false` (the port refuses connections and open ones are closed).
 */
export class TcpProxy {
  readonly name: string;
  private listenAddress: HostPort;
  private upstreamAddress: HostPort;
  private server: Server | undefined;
  private isEnabled: boolean;
  private closed = false;
  private nextConnectionId = 1;
  private readonly connectionsById = new Map<number, TcpConnection>();
  private readonly collection: ToxicCollection;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly options: TcpProxyOptions;
  private readonly counters = {
    connectionsTotal: 0,
    connectErrors: 0,
    connectionsRejected: 0,
  };
  /** Bytes of connections that have closed (open ones are summed live). */
  private readonly closedBytes: Record<Stream, { receivedBytes: number; sentBytes: number }> = {
    upstream: { receivedBytes: 0, sentBytes: 0 },
    downstream: { receivedBytes: 0, sentBytes: 0 },
  };

  constructor(options: TcpProxyOptions) {
    this.options = options;
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? createRandom();
    this.listenAddress = parseHostPort(options.listen ?? 0, { allowPortZero: true, what: 'listen address' });
    this.upstreamAddress = this.checkedUpstream(options.upstream);
    this.assertAllowed(this.listenAddress, 'listen on');
    this.isEnabled = options.enabled ?? true;
    this.collection = new ToxicCollection(options.registry ?? createToxicRegistry(), this.clock, {
      added: (entry) => this.toxicAdded(entry),
      removed: (entry, reason) => this.toxicRemoved(entry, reason),
    });
  }

  /** Creates a proxy and starts listening (unless it starts disabled). */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy(options);
    await proxy.listen();
    return proxy;
  }

  /** Binds the listen address (if enabled). Port 0 becomes the port the OS chose. */
  async listen(): Promise<void> {
    if (this.closed) throw new ShakedownError('E_TCP_CLOSED', `tcp listener ${this.name} is closed`);
    if (!this.isEnabled || this.server) return;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.listenAddress.host, port: this.listenAddress.port }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((e: NodeJS.ErrnoException) => {
      throw new ShakedownError(
        'E_TCP_LISTEN',
        `tcp listener ${this.name} cannot listen on ${formatHostPort(this.listenAddress)}: ${e.code ?? e.message}`,
        {
          exitCode: ExitCode.environment,
          hint: e.code === 'EADDRINUSE' ? 'pick another port, or 0 for a free one' : undefined,
          cause: e,
        },
      );
    });
    server.on('error', () => {
      // After a successful bind, errors are per connection and handled there.
    });
    const bound = server.address();
    if (bound && typeof bound === 'object') this.listenAddress = { ...this.listenAddress, port: bound.port };
    this.server = server;
  }

  /** The address it listens on (the actual port once bound). */
  get address(): HostPort {
    return { ...this.listenAddress };
  }

  get upstream(): HostPort {
    return { ...this.upstreamAddress };
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  /**
   * Repoints the listener: new connections go to `target`. Open ones are closed (FIN),
   * reset (RST) or kept on the old upstream, per `existing` (default: the listener's
   * `onUpstreamChange`). Resolves when the closed ones are gone.
   */
  async setUpstream(
    target: string | number | HostPort,
    options: { existing?: UpstreamChangePolicy } = {},
  ): Promise<void> {
    const next = this.checkedUpstream(target);
    const previous = this.upstreamAddress;
    this.upstreamAddress = next;
    const policy = options.existing ?? this.options.onUpstreamChange ?? 'close';
    this.emit('mesh.tcp.upstream.changed', {
      from: formatHostPort(previous),
      to: formatHostPort(next),
      existing: policy,
    });
    if (policy === 'keep') return;
    const open = [...this.connectionsById.values()];
    if (policy === 'reset') for (const c of open) c.reset();
    else await Promise.all(open.map((c) => c.close(this.closeGraceMs)));
  }

  /** Takes the listener down: the port refuses connections, open ones are closed. */
  async disable(): Promise<void> {
    if (!this.isEnabled) return;
    this.isEnabled = false;
    this.emit('mesh.tcp.listener.down', {});
    await this.stopServer();
  }

  /** Brings the listener back up on the same address. */
  async enable(): Promise<void> {
    if (this.isEnabled) return;
    this.isEnabled = true;
    try {
      await this.listen();
    } catch (e) {
      this.isEnabled = false;
      throw e;
    }
    this.emit('mesh.tcp.listener.up', {});
  }

  /**
   * Adds a toxic; it acts on open connections at once and on new ones (each drawn against
   * its toxicity). With `ttlMs` it removes itself after that long.
   */
  addToxic(input: ToxicInput, options: { ttlMs?: number } = {}): ToxicInfo {
    return { ...this.collection.add(input, options).info };
  }

  /** Removes a toxic by name, from open connections too; false if there was none. */
  removeToxic(name: string): boolean {
    return this.collection.remove(name, 'removed');
  }

  /** The toxics in force, in the order they were added. */
  toxics(): ToxicInfo[] {
    return this.collection.all().map((e) => ({ ...e.info }));
  }

  /** Toxiproxy's reset: enables the listener and removes every toxic. */
  async reset(): Promise<void> {
    this.collection.clear('reset');
    await this.enable();
  }

  stats(): TcpProxyStats {
    const sum = (stream: Stream) => {
      const total = { ...this.closedBytes[stream] };
      for (const c of this.connectionsById.values()) {
        const b = c.bytes(stream);
        total.receivedBytes += b.receivedBytes;
        total.sentBytes += b.sentBytes;
      }
      return total;
    };
    return {
      connectionsActive: this.connectionsById.size,
      ...this.counters,
      upstream: sum('upstream'),
      downstream: sum('downstream'),
    };
  }

  connections(): TcpConnectionInfo[] {
    return [...this.connectionsById.values()].map((c) => c.info());
  }

  state(): TcpProxyState {
    return {
      name: this.name,
      listen: formatHostPort(this.listenAddress),
      upstream: formatHostPort(this.upstreamAddress),
      enabled: this.isEnabled,
      toxics: this.toxics(),
      stats: this.stats(),
    };
  }

  /**
   * Stops listening, removes every toxic (and its lease) and closes all connections
   * gracefully, destroying those whose peers do not finish within the grace time.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.collection.clear('closed');
    await this.stopServer();
  }

  private get closeGraceMs(): number {
    return this.options.closeGraceMs ?? 1000;
  }

  private async stopServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closing = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    await Promise.all([...this.connectionsById.values()].map((c) => c.close(this.closeGraceMs)));
    await closing;
  }

  private accept(client: Socket): void {
    client.on('error', () => {});
    if (!this.isEnabled || this.closed) {
      client.destroy();
      return;
    }
    if (this.connectionsById.size >= (this.options.maxConnections ?? 10_000)) {
      this.counters.connectionsRejected++;
      client.destroy();
      return;
    }
    const connection = new TcpConnection({
      id: this.nextConnectionId++,
      client,
      upstream: this.upstreamAddress,
      clock: this.clock,
      random: this.random.fork(),
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      highWaterMarkBytes: this.options.highWaterMarkBytes ?? 1024 * 1024,
      toxics: () => this.collection.all(),
      draw: drawToxicity,
      onConnectError: () => {
        this.counters.connectErrors++;
      },
      onClosed: (c) => this.connectionClosed(c),
    });
    this.counters.connectionsTotal++;
    this.connectionsById.set(connection.id, connection);
    connection.open();
  }

  private connectionClosed(c: TcpConnection): void {
    if (!this.connectionsById.delete(c.id)) return;
    for (const stream of streams) {
      const b = c.bytes(stream);
      this.closedBytes[stream].receivedBytes += b.receivedBytes;
      this.closedBytes[stream].sentBytes += b.sentBytes;
    }
  }

  private toxicAdded(entry: ToxicEntry): void {
    for (const c of this.connectionsById.values()) c.applyToxic(entry);
    this.emit('mesh.tcp.toxic.added', { ...entry.info });
  }

  private toxicRemoved(entry: ToxicEntry, reason: ToxicRemovalReason): void {
    for (const c of this.connectionsById.values()) c.removeToxic(entry);
    this.emit('mesh.tcp.toxic.removed', { ...entry.info, reason });
  }

  private checkedUpstream(target: string | number | HostPort): HostPort {
    const a = parseHostPort(target, { what: 'upstream address' });
    this.assertAllowed(a, 'proxy to');
    return a;
  }

  private assertAllowed(a: HostPort, verb: string): void {
    if (this.options.allowRemote || isLoopbackHost(a.host)) return;
    throw usageError(
      'E_TCP_REMOTE',
      `tcp listener ${this.options.name}: refusing to ${verb} ${formatHostPort(a)}: it is not a loopback address`,
      'set allowRemote: true on the listener if you mean it',
    );
  }

  private emit(kind: string, data: Record<string, unknown>): void {
    this.options.events?.emit({ t: this.clock.now(), kind, source: 'mesh', subject: this.name, data });
  }
}
