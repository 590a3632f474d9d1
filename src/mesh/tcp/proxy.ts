import type { Server, Socket } from 'node:net';
import { type Clock, systemClock } from '../../core/clock.js';
import { ShakedownError } from '../../core/errors.js';
import { createRandom, type Random } from '../../core/random.js';
import { TcpConnection, type TcpConnectionInfo } from './connection.js';
import { createToxicRegistry } from './core/registry.js';
import { drawToxicity } from './core/toxicity.js';
import { type Stream, streams } from './core/types.js';
import { assertLoopbackAllowed, formatHostPort, type HostPort, parseHostPort } from './host-port.js';
import { bindTcpServer, closeTcpServer } from './listen-socket.js';
import type { TcpProxyOptions, TcpProxyState, TcpProxyStats, UpstreamChangePolicy } from './proxy-options.js';
import {
  ToxicCollection,
  type ToxicEntry,
  type ToxicInfo,
  type ToxicInput,
  type ToxicRemovalReason,
} from './toxic-collection.js';

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
  private downLease: AbortController | undefined;
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
    assertLoopbackAllowed(this.listenAddress, options.allowRemote ?? false, options.name, 'listen on');
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
    const { server, port } = await bindTcpServer(this.name, this.listenAddress, (s) => this.accept(s));
    this.listenAddress = { ...this.listenAddress, port };
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

  /**
   * Takes the listener down: the port refuses connections, open ones are closed. With
   * `ttlMs` the down state is a lease: the listener comes back up by itself after that long
   * (calling again renews it), so a chaos controller that dies leaves no listener down.
   */
  async disable(options: { ttlMs?: number } = {}): Promise<void> {
    this.downLease?.abort();
    this.downLease = undefined;
    if (options.ttlMs !== undefined) {
      if (!(Number.isFinite(options.ttlMs) && options.ttlMs > 0))
        throw new ShakedownError('E_TCP_TTL', `invalid TTL ${options.ttlMs}: expected ms > 0`);
      const lease = new AbortController();
      this.downLease = lease;
      void this.clock.sleep(options.ttlMs, lease.signal).then(async () => {
        if (lease.signal.aborted || this.closed || this.downLease !== lease) return;
        this.downLease = undefined;
        this.emit('mesh.tcp.listener.lease-expired', {});
        await this.enable().catch(() => {});
      });
    }
    if (!this.isEnabled) return;
    this.isEnabled = false;
    this.emit('mesh.tcp.listener.down', options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs });
    await this.stopServer();
  }

  /** Brings the listener back up on the same address. */
  async enable(): Promise<void> {
    this.downLease?.abort();
    this.downLease = undefined;
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

  /** Renews a toxic's TTL lease (it ends `ttlMs` from now); false if there is no such toxic. */
  renewToxic(name: string, ttlMs: number): boolean {
    return this.collection.renew(name, ttlMs);
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
    this.downLease?.abort();
    this.collection.clear('closed');
    await this.stopServer();
  }

  private get closeGraceMs(): number {
    return this.options.closeGraceMs ?? 1000;
  }

  private async stopServer(): Promise<void> {
    const closing = closeTcpServer(this.server);
    this.server = undefined;
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
    assertLoopbackAllowed(a, this.options.allowRemote ?? false, this.name, 'proxy to');
    return a;
  }

  private emit(kind: string, data: Record<string, unknown>): void {
    this.options.events?.emit({ t: this.clock.now(), kind, source: 'mesh', subject: this.name, data });
  }
}
