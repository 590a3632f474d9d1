import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Registry } from '../core/registry.js';
import type { EndpointAddress } from './address.js';
import type { BalancerFactory } from './balancers/types.js';
import { Cluster } from './cluster.js';
import type { MeshContext } from './context.js';
import { Endpoint, type EndpointSource } from './endpoint.js';
import { HealthChecker } from './health-checker.js';
import { compileOverrides, type OverridePicker } from './match.js';
import type { MirrorConfig, OverrideConfig, ServiceConfig } from './model.js';
import { SmoothWeightedRoundRobin } from './smooth-wrr.js';

/**
 * A service: one cluster per version, the weights between them (smooth weighted round
 * robin, so a 90/10 split is exact over every ten requests), version overrides by header
 * or cookie, mirroring, and the endpoints' health checkers.
 */
export class Service {
  readonly clusters: Cluster[] = [];
  private readonly wrr = new SmoothWeightedRoundRobin();
  private weightsByVersion = new Map<string, number>();
  private overrides: OverridePicker | undefined;
  private readonly checkers = new Map<Endpoint, HealthChecker>();
  /** Where a share of this service's requests is copied to (responses dropped). */
  private mirrorCluster: Cluster | undefined;

  constructor(
    public config: ServiceConfig,
    private readonly ctx: MeshContext,
    private readonly balancers: Registry<BalancerFactory>,
    private readonly nextClusterIndex: () => number,
  ) {
    this.balancers.get(config.loadBalancer);
    for (const v of config.versions) this.ensureCluster(v.name);
    this.setWeights(Object.fromEntries(config.versions.map((v) => [v.name, v.weight])));
    this.applyConfig(config);
  }

  get name(): string {
    return this.config.name;
  }

  /** Takes a new configuration (hot reload): overrides, mirror, health checks, breaker limits. */
  applyConfig(config: ServiceConfig): void {
    this.config = config;
    this.overrides = compileOverrides(config.overrides);
    this.mirrorCluster = config.mirror ? this.ensureCluster(config.mirror.version) : undefined;
    for (const [ep, hc] of this.checkers) {
      hc.stop();
      this.checkers.delete(ep);
    }
    for (const c of this.clusters) for (const ep of c.endpoints) this.startChecks(ep);
  }

  /**
   * Run-time routing (delivery's header routes and mirror): new overrides and mirror
   * without touching health checks. Versions must exist; the mirror's is created if new.
   */
  setRouting(overrides: readonly OverrideConfig[], mirror: MirrorConfig | undefined): void {
    for (const v of [...overrides.map((o) => o.version), ...(mirror ? [mirror.version] : [])]) {
      if (!this.cluster(v)) {
        throw new ShakedownError('E_MESH_UNKNOWN_VERSION', `service "${this.name}" has no version "${v}"`, {
          exitCode: ExitCode.usage,
          hint: `versions: ${this.clusters.map((c) => c.version).join(', ')}; register an endpoint to add one`,
        });
      }
    }
    const compiled = compileOverrides(overrides);
    const { mirror: _old, ...rest } = this.config;
    this.config = { ...rest, overrides: [...overrides], ...(mirror ? { mirror } : {}) };
    this.overrides = compiled;
    this.mirrorCluster = mirror ? this.ensureCluster(mirror.version) : undefined;
  }

  cluster(version: string): Cluster | undefined {
    return this.clusters.find((c) => c.version === version);
  }

  /** The cluster for the next request: an override if one matches, else the weights. */
  choose(rawHeaders: readonly string[]): Cluster | undefined {
    if (this.overrides !== undefined) {
      const v = this.overrides(rawHeaders);
      if (v !== undefined) {
        const c = this.cluster(v);
        if (c !== undefined) return c;
      }
    }
    const i = this.wrr.pick();
    return i < 0 ? undefined : this.clusters[i];
  }

  /** The cluster a request should be mirrored to, or undefined (rolled per request). */
  mirrorFor(chosen: Cluster): Cluster | undefined {
    const m = this.mirrorCluster;
    const cfg = this.config.mirror;
    if (m === undefined || cfg === undefined || m === chosen || m.endpoints.length === 0) return undefined;
    return cfg.fraction >= 1 || this.ctx.random.next() < cfg.fraction ? m : undefined;
  }

  weights(): Record<string, number> {
    return Object.fromEntries(
      this.clusters.map((c) => [c.version, this.weightsByVersion.get(c.version) ?? 0]),
    );
  }

  /**
   * Sets the weights of the versions named (others keep theirs); applies from the next
   * request. Unknown versions and negative or non-finite weights are rejected whole.
   */
  setWeights(weights: Record<string, number>): Record<string, number> {
    for (const [v, w] of Object.entries(weights)) {
      if (!this.cluster(v)) {
        throw new ShakedownError('E_MESH_UNKNOWN_VERSION', `service "${this.name}" has no version "${v}"`, {
          exitCode: ExitCode.usage,
          hint: `versions: ${this.clusters.map((c) => c.version).join(', ')}; register an endpoint to add one`,
        });
      }
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
        throw new ShakedownError(
          'E_MESH_WEIGHT',
          `weight of ${v} must be a number ≥ 0, got ${JSON.stringify(w)}`,
          {
            exitCode: ExitCode.usage,
          },
        );
      }
    }
    const next = new Map(this.weightsByVersion);
    for (const [v, w] of Object.entries(weights)) next.set(v, w);
    this.weightsByVersion = next;
    this.wrr.setWeights(this.clusters.map((c) => next.get(c.version) ?? 0));
    return this.weights();
  }

  /** The cluster of `version`, created (with weight 0) when it does not exist yet. */
  ensureCluster(version: string): Cluster {
    let c = this.cluster(version);
    if (c) return c;
    const balancer = this.balancers.get(this.config.loadBalancer)(this.ctx.random.fork());
    c = new Cluster(this.nextClusterIndex(), this, version, balancer);
    this.clusters.push(c);
    this.wrr.setWeights(this.clusters.map((x) => this.weightsByVersion.get(x.version) ?? 0));
    return c;
  }

  addEndpoint(version: string, address: EndpointAddress, source: EndpointSource): Endpoint {
    const c = this.ensureCluster(version);
    const existing = c.find(address.text);
    if (existing) {
      if (!existing.draining) return existing;
      throw new ShakedownError(
        'E_MESH_ENDPOINT_DRAINING',
        `endpoint ${address.text} of ${this.name}/${version} is draining`,
        { exitCode: ExitCode.usage, hint: 'wait for its removal to finish, then add it again' },
      );
    }
    const ep = new Endpoint(address, this.name, version, source, this.config);
    c.endpoints = [...c.endpoints, ep];
    this.startChecks(ep);
    this.ctx.emit('endpoint.added', `${this.name}/${version}/${ep.id}`, { source });
    return ep;
  }

  /**
   * Drains an endpoint (no new requests; in-flight ones finish within `timeoutMs`), then
   * removes it and closes its connections. Resolves with requests still in flight at the end.
   */
  async removeEndpoint(version: string, id: string, timeoutMs: number): Promise<number> {
    const c = this.cluster(version);
    const ep = c?.find(id);
    if (!c || !ep) throw unknownEndpoint(this.name, version, id);
    const left = await ep.drain(timeoutMs);
    c.endpoints = c.endpoints.filter((e) => e !== ep);
    this.checkers.get(ep)?.stop();
    this.checkers.delete(ep);
    await ep.close(left > 0);
    this.ctx.emit('endpoint.removed', `${this.name}/${version}/${id}`, { inFlightAtRemoval: left });
    return left;
  }

  /** Drains without removing: the endpoint stays listed, gets no new requests. */
  drainEndpoint(version: string, id: string, timeoutMs: number): Promise<number> {
    const ep = this.cluster(version)?.find(id);
    if (!ep) throw unknownEndpoint(this.name, version, id);
    this.ctx.emit('endpoint.draining', `${this.name}/${version}/${id}`, {});
    return ep.drain(timeoutMs);
  }

  /** Forgets outlier ejections (admin reset). */
  clearEjections(): void {
    for (const c of this.clusters)
      for (const ep of c.endpoints) {
        ep.outlier.ejectedUntilMs = 0;
        ep.outlier.consecutive5xx = 0;
        ep.outlier.consecutiveConnectErrors = 0;
      }
  }

  /** Stops health checks and closes every pool (gracefully unless `force`). */
  async close(force = false): Promise<void> {
    for (const hc of this.checkers.values()) hc.stop();
    this.checkers.clear();
    await Promise.all(this.clusters.flatMap((c) => c.endpoints.map((e) => e.close(force))));
  }

  private startChecks(ep: Endpoint): void {
    const hc = this.config.healthCheck;
    if (!hc || this.checkers.has(ep)) return;
    const checker = new HealthChecker(ep, hc, this.ctx);
    this.checkers.set(ep, checker);
    checker.start();
  }
}

export function unknownEndpoint(service: string, version: string, id: string): ShakedownError {
  return new ShakedownError('E_MESH_UNKNOWN_ENDPOINT', `no endpoint ${id} in ${service}/${version}`, {
    exitCode: ExitCode.usage,
  });
}
