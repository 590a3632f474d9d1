import { type Clock, systemClock } from '../core/clock.js';
import { ShakedownError } from '../core/errors.js';
import type { EventSink, RunEvent } from '../core/event.js';
import { ExitCode } from '../core/exit-codes.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { createRandom, type Random } from '../core/random.js';
import type { Registry } from '../core/registry.js';
import type { EncodedWindow, WindowSink } from '../core/window.js';
import { assertEndpointAllowed, parseAddress } from './address.js';
import { AdminRouter } from './admin/router.js';
import { meshAdminRoutes } from './admin/routes.js';
import { AdminServer } from './admin/server.js';
import { type AdminToken, prepareToken } from './admin/token.js';
import { balancerRegistry } from './balancers/registry.js';
import type { BalancerFactory } from './balancers/types.js';
import { checkMeshConfig } from './check-config.js';
import type { Cluster } from './cluster.js';
import type { MeshContext } from './context.js';
import type {
  EndpointState,
  FaultRequest,
  FaultState,
  MeshControl,
  MeshState,
  RoutingRequest,
  ServiceState,
} from './control.js';
import type { Endpoint } from './endpoint.js';
import { faultTypeRegistry } from './faults/registry.js';
import { faultInputSchema, toFaultSpec } from './faults/schema.js';
import { describe, FaultTable } from './faults/table.js';
import type { FaultType } from './faults/types.js';
import { circuitBreakerLayer } from './layers/circuit-breaker.js';
import { faultLayer } from './layers/fault.js';
import { retryLayer } from './layers/retry.js';
import { timeoutLayer } from './layers/timeout.js';
import { compose, type ProxyDispatch } from './layers/types.js';
import { upstreamDispatch } from './layers/upstream.js';
import { Listener, type ListenerHost } from './listener.js';
import { compileRoute } from './match.js';
import { MeshMetrics } from './metrics.js';
import type { MeshConfig, ServiceConfig } from './model.js';
import type { MeshPlane } from './plane.js';
import type { RouteRuntime } from './route-runtime.js';
import { Service } from './service.js';
import { TrafficStats } from './stats.js';
import { parseInput } from './validate.js';
import { MeshWindows } from './windows.js';

export interface MeshOptions {
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Extension planes started and stopped with the mesh (the TCP listeners plug in here). */
  planes?: MeshPlane[];
  balancers?: Registry<BalancerFactory>;
  faultTypes?: Registry<FaultType>;
}

/** Where a running mesh listens. */
export interface MeshAddresses {
  listeners: Array<{ name: string; url: string }>;
  admin: { url: string; tokenFile: string | undefined } | null;
  planes: Record<string, Array<{ name: string; url: string }>>;
}

const maxKeptEvents = 10_000;

/** A share as 0–1 or "5%", checked. */
function parseFraction(v: number | string): number {
  const n =
    typeof v === 'number' ? v : v.trim().endsWith('%') ? Number(v.trim().slice(0, -1)) / 100 : Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new ShakedownError(
      'E_MESH_INVALID',
      `mirror percentage must be in [0, 1] or "5%", got ${JSON.stringify(v)}`,
      {
        exitCode: ExitCode.usage,
      },
    );
  }
  return n;
}

/**
 * The mesh data plane, in process: HTTP listeners, routes, services with a cluster per
 * version, the filter chain (overall timeout → faults → retries → circuit breaker →
 * upstream), metrics, per-second windows, the event timeline and the admin API, which is
 * a thin HTTP layer over the {@link MeshControl} methods of this class.
 */
export class Mesh implements MeshControl, ListenerHost {
  readonly recorder: MeshWindows;
  readonly dispatch: ProxyDispatch;
  readonly mirrorDispatch: ProxyDispatch;
  private readonly ctx: MeshContext;
  private readonly services = new Map<string, Service>();
  private readonly listeners = new Map<string, Listener>();
  private routes: RouteRuntime[] = [];
  private readonly routeIndex = new Map<string, number>();
  private readonly faultTable: FaultTable;
  private readonly metricsRegistry: MeshMetrics;
  private readonly planes: MeshPlane[];
  private readonly balancers: Registry<BalancerFactory>;
  private readonly eventSinks: EventSink[] = [];
  private readonly recentEvents: RunEvent[] = [];
  private readonly background = new Set<Promise<unknown>>();
  private admin: AdminServer | undefined;
  private token: AdminToken | undefined;
  private clusterCount = 0;
  private startedAtMs = 0;
  private phase: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(
    private config: MeshConfig,
    opts: MeshOptions = {},
  ) {
    checkMeshConfig(config);
    const clock = opts.clock ?? systemClock;
    const logger = opts.logger ?? silentLogger;
    this.ctx = {
      clock,
      random: opts.random ?? createRandom(),
      logger,
      emit: (kind, subject, data = {}) => this.emit(kind, subject, data),
    };
    this.balancers = opts.balancers ?? balancerRegistry();
    this.planes = opts.planes ?? [];
    this.recorder = new MeshWindows(
      () => clock.monotonicMs(),
      config.windowMs,
      600,
      (e) => logger.warn('window sink failed', { error: String(e) }),
    );
    this.faultTable = new FaultTable(this.ctx, opts.faultTypes ?? faultTypeRegistry());
    this.dispatch = compose(
      [
        timeoutLayer(),
        faultLayer(this.faultTable),
        retryLayer(this.ctx.random.fork()),
        circuitBreakerLayer(),
      ],
      upstreamDispatch(this.ctx),
    );
    this.mirrorDispatch = compose([circuitBreakerLayer()], upstreamDispatch(this.ctx));
    this.metricsRegistry = new MeshMetrics({
      services: () => this.services.values(),
      listeners: () => this.listeners.values(),
      faults: this.faultTable,
    });
    this.applyServices(config.services);
    this.applyRoutes(config);
    for (const f of config.faults) this.faultTable.add(f, 'spec');
  }

  // ── lifecycle ───────────────────────────────────────────────────────────────

  /** Starts listening (listeners, admin API, planes); resolves with the addresses. */
  async start(): Promise<MeshAddresses> {
    if (this.phase !== 'new') throw new Error('a mesh starts once');
    this.phase = 'starting';
    try {
      for (const l of this.config.listeners) {
        const listener = new Listener(l, this);
        this.listeners.set(l.name, listener);
        await listener.listen();
      }
      this.assignRoutes();
      const admin = this.config.admin;
      if (admin.enabled) {
        this.token = prepareToken(admin);
        const router = new AdminRouter(meshAdminRoutes(this, () => this.metrics()));
        for (const p of this.planes) if (p.adminRoutes) router.mount(`/v1/${p.name}`, p.adminRoutes());
        this.admin = new AdminServer(router, this.token.token, admin.host, admin.port, this.ctx.logger);
        await this.admin.listen();
      }
      for (const p of this.planes) await p.start(this.ctx);
    } catch (e) {
      await this.stop({ drainTimeoutMs: 0 });
      throw e;
    }
    this.recorder.start();
    this.startedAtMs = this.ctx.clock.now();
    this.phase = 'running';
    this.emit('mesh.started', 'mesh', { listeners: this.addresses().listeners });
    return this.addresses();
  }

  /**
   * Graceful stop: listeners drain (no new connections, `Connection: close`, in-flight
   * requests finish within the drain timeout), planes stop, pools close, the last windows
   * are delivered, the token file is removed.
   */
  async stop(opts: { drainTimeoutMs?: number } = {}): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    const wasRunning = this.phase === 'running';
    this.phase = 'stopping';
    const drainMs = opts.drainTimeoutMs ?? this.config.drainTimeoutMs;
    if (wasRunning) this.emit('mesh.draining', 'mesh', { drainTimeoutMs: drainMs });
    await Promise.all([...this.listeners.values()].map((l) => l.drain(drainMs)));
    await Promise.all(this.planes.map((p) => p.stop(drainMs).catch(() => {})));
    await Promise.allSettled([...this.background]);
    await Promise.all([...this.services.values()].map((s) => s.close(true)));
    this.faultTable.dispose();
    this.recorder.stop();
    await this.admin?.close();
    this.token?.cleanup();
    this.phase = 'stopped';
    if (wasRunning) this.emit('mesh.stopped', 'mesh', {});
  }

  addresses(): MeshAddresses {
    return {
      listeners: [...this.listeners.values()].map((l) => ({ name: l.name, url: l.url })),
      admin: this.admin ? { url: this.admin.url, tokenFile: this.token?.file } : null,
      planes: Object.fromEntries(this.planes.map((p) => [p.name, p.addresses()])),
    };
  }

  /** The admin bearer token (in-process callers that start the mesh may hand it on). */
  adminToken(): string | undefined {
    return this.token?.token;
  }

  /**
   * Hot reconfiguration: services, versions, endpoints, routes, listener limits and spec
   * faults change without dropping in-flight requests (they keep the objects they started
   * with; endpoints that left the spec drain). Run-time endpoints and faults are kept.
   * Listeners may be added or removed; the admin settings need a restart.
   */
  async reconfigure(config: MeshConfig): Promise<void> {
    checkMeshConfig(config);
    const old = this.config;
    this.config = config;
    this.applyServices(config.services);
    this.applyRoutes(config);
    const wanted = new Map(config.listeners.map((l) => [l.name, l]));
    for (const [name, l] of this.listeners) {
      const next = wanted.get(name);
      if (!next || next.host !== l.config.host || (next.port !== l.config.port && next.port !== 0)) {
        this.listeners.delete(name);
        this.track(l.drain(config.drainTimeoutMs));
      } else l.applyConfig(next);
    }
    for (const [name, l] of wanted) {
      if (this.listeners.has(name)) continue;
      const listener = new Listener(l, this);
      await listener.listen();
      this.listeners.set(name, listener);
    }
    this.assignRoutes();
    this.faultTable.clear('spec');
    for (const f of config.faults) this.faultTable.add(f, 'spec');
    this.emit('mesh.reconfigured', 'mesh', { previousServices: old.services.map((s) => s.name) });
  }

  // ── subscriptions ───────────────────────────────────────────────────────────

  /** Per-second windows (route × service × version) as they finish; returns unsubscribe. */
  subscribeWindows(sink: WindowSink): () => void {
    return this.recorder.subscribe(sink);
  }

  /** Events as they happen; returns unsubscribe. */
  subscribeEvents(sink: EventSink): () => void {
    this.eventSinks.push(sink);
    return () => {
      const i = this.eventSinks.indexOf(sink);
      if (i >= 0) this.eventSinks.splice(i, 1);
    };
  }

  /** Prometheus text exposition. */
  async metrics(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.metricsRegistry.contentType, text: await this.metricsRegistry.text() };
  }

  // ── MeshControl ─────────────────────────────────────────────────────────────

  async state(): Promise<MeshState> {
    const faults = await this.faults();
    return {
      startedAt: this.startedAtMs ? new Date(this.startedAtMs).toISOString() : null,
      listeners: [...this.listeners.values()].map((l) => ({
        name: l.name,
        url: l.url,
        draining: l.draining,
      })),
      routes: this.config.routes.map((r) => ({
        name: r.name,
        service: r.service,
        listeners: r.listeners,
        match: r.match,
        timeoutMs: r.timeoutMs,
        retry: r.retry,
      })),
      services: [...this.services.values()].map((s) => this.serviceState(s)),
      faults,
      admin: this.admin ? { url: this.admin.url } : null,
      planes: Object.fromEntries(this.planes.map((p) => [p.name, p.state()])),
    };
  }

  async weights(service: string): Promise<Record<string, number>> {
    return this.service(service).weights();
  }

  async setWeights(service: string, weights: Record<string, number>): Promise<void> {
    const s = this.service(service);
    const before = s.weights();
    const after = s.setWeights(weights);
    this.emit('weights.changed', service, { before, after });
  }

  async setRouting(service: string, routing: RoutingRequest): Promise<void> {
    const s = this.service(service);
    const before = { overrides: s.config.overrides, mirror: s.config.mirror ?? null };
    const overrides = routing.overrides ?? s.config.overrides;
    const mirror =
      routing.mirror === undefined
        ? s.config.mirror
        : routing.mirror === null
          ? undefined
          : { version: routing.mirror.version, fraction: parseFraction(routing.mirror.percentage ?? 1) };
    s.setRouting(
      overrides.map((o) => (o.header !== undefined ? { ...o, header: o.header.toLowerCase() } : o)),
      mirror,
    );
    this.emit('routing.changed', service, {
      before,
      after: { overrides: s.config.overrides, mirror: s.config.mirror ?? null },
    });
  }

  async addEndpoint(service: string, version: string, address: string): Promise<EndpointState> {
    const s = this.service(service);
    const a = parseAddress(address);
    assertEndpointAllowed(a, this.config.allowRemote);
    const ep = s.addEndpoint(version, a, 'runtime');
    return this.endpointState(ep);
  }

  async removeEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts: { drainTimeoutMs?: number } = {},
  ): Promise<{ inFlightAtRemoval: number }> {
    const id = this.endpointId(endpoint);
    const left = await this.service(service).removeEndpoint(
      version,
      id,
      opts.drainTimeoutMs ?? this.config.drainTimeoutMs,
    );
    return { inFlightAtRemoval: left };
  }

  async drainEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts: { timeoutMs?: number } = {},
  ): Promise<{ inFlight: number }> {
    const id = this.endpointId(endpoint);
    const left = await this.service(service).drainEndpoint(
      version,
      id,
      opts.timeoutMs ?? this.config.drainTimeoutMs,
    );
    return { inFlight: left };
  }

  async faults(): Promise<FaultState[]> {
    return this.faultTable.list().map((f) => describe(f) as FaultState);
  }

  async addFault(fault: FaultRequest): Promise<FaultState> {
    const spec = toFaultSpec(parseInput(faultInputSchema, fault, 'fault'));
    if (spec.ttlMs === undefined) spec.ttlMs = this.config.defaultFaultTtlMs;
    const t = spec.target;
    if (t.service !== undefined) {
      const s = this.service(t.service);
      if (t.version !== undefined && !s.cluster(t.version)) {
        throw new ShakedownError(
          'E_MESH_UNKNOWN_VERSION',
          `service "${t.service}" has no version "${t.version}"`,
          {
            exitCode: ExitCode.usage,
          },
        );
      }
    }
    if (t.route !== undefined && !this.config.routes.some((r) => r.name === t.route)) {
      throw new ShakedownError('E_MESH_UNKNOWN_ROUTE', `no route "${t.route}"`, {
        exitCode: ExitCode.usage,
        hint: `routes: ${this.config.routes.map((r) => r.name).join(', ')}`,
      });
    }
    return describe(this.faultTable.add(spec, 'runtime')) as FaultState;
  }

  async renewFault(id: string, ttlMs: number): Promise<FaultState> {
    const f = this.faultTable.renew(id, ttlMs);
    if (!f) {
      throw new ShakedownError('E_MESH_UNKNOWN_FAULT', `no fault "${id}" (expired or removed)`, {
        exitCode: ExitCode.usage,
      });
    }
    return describe(f) as FaultState;
  }

  async removeFault(id: string): Promise<boolean> {
    return this.faultTable.remove(id);
  }

  async clearFaults(): Promise<number> {
    return this.faultTable.clear('runtime');
  }

  async reset(): Promise<void> {
    this.faultTable.clear();
    for (const f of this.config.faults) this.faultTable.add(f, 'spec');
    for (const sc of this.config.services) {
      const s = this.services.get(sc.name);
      if (!s) continue;
      const w = Object.fromEntries(s.clusters.map((c) => [c.version, 0]));
      for (const v of sc.versions) w[v.name] = v.weight;
      s.setWeights(w);
      s.setRouting(sc.overrides, sc.mirror);
      s.clearEjections();
    }
    for (const p of this.planes) await p.reset();
    this.emit('mesh.reset', 'mesh', {});
  }

  async windows(sinceMs = 0): Promise<EncodedWindow[]> {
    return this.recorder.since(sinceMs);
  }

  async events(sinceMs = 0): Promise<RunEvent[]> {
    return this.recentEvents.filter((e) => e.t >= sinceMs);
  }

  // ── ListenerHost ────────────────────────────────────────────────────────────

  now(): number {
    return this.ctx.clock.monotonicMs();
  }

  statsFor(route: RouteRuntime, cluster: Cluster): TrafficStats {
    let s = cluster.statsByRoute[route.index];
    if (s === undefined) {
      const key = { route: route.config.name, service: cluster.service, version: cluster.version };
      s = new TrafficStats(key.route, key.service, key.version, this.recorder.addKey(key));
      cluster.statsByRoute[route.index] = s;
    }
    return s;
  }

  // ── internals ───────────────────────────────────────────────────────────────

  private service(name: string): Service {
    const s = this.services.get(name);
    if (!s) {
      throw new ShakedownError('E_MESH_UNKNOWN_SERVICE', `no service "${name}"`, {
        exitCode: ExitCode.usage,
        hint: `services: ${[...this.services.keys()].join(', ') || '(none)'}`,
      });
    }
    return s;
  }

  private endpointId(endpoint: string): string {
    try {
      return parseAddress(endpoint).text;
    } catch {
      return endpoint;
    }
  }

  private applyServices(configs: readonly ServiceConfig[]): void {
    const wanted = new Set(configs.map((c) => c.name));
    for (const sc of configs) {
      let s = this.services.get(sc.name);
      if (!s) {
        s = new Service(sc, this.ctx, this.balancers, () => this.clusterCount++);
        this.services.set(sc.name, s);
      } else {
        s.applyConfig(sc);
        for (const v of sc.versions) s.ensureCluster(v.name);
        s.setWeights(Object.fromEntries(sc.versions.map((v) => [v.name, v.weight])));
      }
      for (const v of sc.versions) {
        const want = new Set(v.endpoints.map((e) => parseAddress(e).text));
        for (const e of v.endpoints) {
          const a = parseAddress(e);
          if (!s.cluster(v.name)?.find(a.text)) s.addEndpoint(v.name, a, 'spec');
        }
        for (const ep of s.cluster(v.name)?.endpoints ?? []) {
          if (ep.source === 'spec' && !want.has(ep.id) && !ep.draining) {
            this.track(s.removeEndpoint(v.name, ep.id, this.config.drainTimeoutMs));
          }
        }
      }
    }
    for (const [name, s] of this.services) {
      if (wanted.has(name)) continue;
      this.services.delete(name);
      this.track(
        Promise.all(
          s.clusters.flatMap((c) =>
            c.endpoints.map((e) => s.removeEndpoint(c.version, e.id, this.config.drainTimeoutMs)),
          ),
        ).then(() => s.close()),
      );
    }
  }

  private applyRoutes(config: MeshConfig): void {
    this.routes = config.routes.map((r) => {
      let index = this.routeIndex.get(r.name);
      if (index === undefined) {
        index = this.routeIndex.size;
        this.routeIndex.set(r.name, index);
      }
      return {
        index,
        config: r,
        compiled: compileRoute(r),
        service: this.service(r.service),
        mirrorRetry: { ...r.retry, attempts: 0, perTryTimeoutMs: r.timeoutMs > 0 ? r.timeoutMs : 15_000 },
      };
    });
  }

  /** Gives each listener the routes served on it (swapped whole: in-flight requests keep theirs). */
  private assignRoutes(): void {
    for (const l of this.listeners.values()) {
      l.routes = this.routes.filter(
        (r) => r.config.listeners.length === 0 || r.config.listeners.includes(l.name),
      );
    }
  }

  private serviceState(s: Service): ServiceState {
    const weights = s.weights();
    return {
      name: s.name,
      loadBalancer: s.config.loadBalancer,
      weights,
      versions: s.clusters.map((c) => ({
        version: c.version,
        weight: weights[c.version] ?? 0,
        endpoints: c.endpoints.map((e) => this.endpointState(e)),
        activeRequests: c.activeRequests,
        attemptsInFlight: c.attemptsInFlight,
        pending: c.pending,
        activeRetries: c.activeRetries,
        overflows: { ...c.overflows },
        mirrored: c.mirrored,
      })),
      overrides: s.config.overrides,
      mirror: s.config.mirror ?? null,
    };
  }

  private endpointState(e: Endpoint): EndpointState {
    const now = this.ctx.clock.monotonicMs();
    const ejected = now < e.outlier.ejectedUntilMs;
    return {
      id: e.id,
      address: e.address.text,
      source: e.source,
      state: e.draining ? 'draining' : ejected ? 'ejected' : e.health.healthy ? 'active' : 'unhealthy',
      healthy: e.health.healthy,
      ejectedUntil: ejected
        ? new Date(this.ctx.clock.now() + (e.outlier.ejectedUntilMs - now)).toISOString()
        : null,
      inFlight: e.inFlight,
      attempts: e.attempts,
      connectErrors: e.connectErrors,
      ejections: e.ejections,
    };
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((e) => this.ctx.logger.warn('background mesh task failed', { error: String(e) }));
    this.background.add(q);
    q.finally(() => this.background.delete(q));
  }

  private emit(kind: string, subject: string, data: Record<string, unknown>): void {
    const event: RunEvent = { t: this.ctx.clock.now(), kind, source: 'mesh', subject, data };
    this.recentEvents.push(event);
    if (this.recentEvents.length > maxKeptEvents)
      this.recentEvents.splice(0, this.recentEvents.length - maxKeptEvents);
    for (const s of this.eventSinks) {
      try {
        s.emit(event);
      } catch (e) {
        this.ctx.logger.warn('event sink failed', { error: String(e) });
      }
    }
  }
}
