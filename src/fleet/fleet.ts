import { join } from 'node:path';
import { type Clock, systemClock } from '../core/clock.js';
import { ShakedownError } from '../core/errors.js';
import type { EventSink, RunEvent } from '../core/event.js';
import { ExitCode } from '../core/exit-codes.js';
import type { ServiceDefinition, VersionDefinition } from './definition.js';
import type { MeshPort } from './mesh-port.js';
import { PortAllocator } from './ports.js';
import { Reaper } from './reaper.js';
import { Replica, type ReplicaContext } from './replica.js';
import { ReplicaLog } from './replica-log.js';
import { isActive, isTerminal } from './replica-state.js';
import { planRollingRestart, planScale } from './rollout-plan.js';
import type { ReplicaStatus, RestartResult, ServiceStatus } from './status.js';
import { replicaStatus } from './status.js';

/** How a Fleet is built. */
export interface FleetOptions {
  services: ServiceDefinition[];
  /** Logs go to `<stateDir>/logs/<service>/<replica>.log`. */
  stateDir: string;
  clock?: Clock;
  /** Receives every change and every replica exit / ready as an Event (source `fleet`). */
  sink?: EventSink;
  /** Where ready replicas join and stopping ones drain; none: replicas are reached directly. */
  mesh?: MeshPort;
  /** The environment replicas inherit; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * More `{{name}}` values for env templates, looked up when a replica starts (the local
   * platform gives `mesh.LISTENER`: the base URL of a mesh listener).
   */
  templates?: (name: string) => string | undefined;
  /**
   * Stop everything on SIGINT / SIGTERM, then re-raise the signal (library use). The CLI
   * handles signals itself and leaves this off.
   */
  stopOnSignals?: boolean;
}

/** Options of operations that wait for new replicas. */
export interface WaitOptions {
  /** How long new replicas get to become ready (default 60 s). */
  readyTimeoutMs?: number;
}

const defaultReadyTimeoutMs = 60_000;

/**
 * The local runtime: every service's replicas as child processes, each on its own port,
 * probed, restarted with backoff, versions side by side, drained from the mesh before they
 * stop. The in-process control API (list, scale, kill, pause, resume, start / stop a
 * version, rolling restart) is what the admin routes expose over HTTP.
 *
 * No replica outlives the fleet: replicas run in their own process groups, signals go to
 * the whole group, a watchdog process kills what is left if the fleet dies, replicas that
 * watch their stdin see it close, and an `exit` handler SIGKILLs whatever is still running.
 */
export class Fleet {
  private readonly clock: Clock;
  private readonly services = new Map<string, ServiceDefinition>();
  private readonly replicas = new Map<string, Replica[]>();
  private readonly desired = new Map<string, number>();
  private readonly nextIndex = new Map<string, number>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly ports = new PortAllocator();
  private readonly reaper = new Reaper();
  private readonly listeners = new Set<(replica: ReplicaStatus) => void>();
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopPromise: Promise<void> | undefined;
  private readonly exitHandler = () => {
    for (const r of this.allReplicas()) r.killNow();
  };
  private readonly signalHandler = (signal: NodeJS.Signals) => {
    process.off('SIGINT', this.signalHandler);
    process.off('SIGTERM', this.signalHandler);
    void this.stop().finally(() => process.kill(process.pid, signal));
  };

  constructor(private readonly options: FleetOptions) {
    this.clock = options.clock ?? systemClock;
    for (const s of options.services) {
      if (this.services.has(s.name)) throw new Error(`service "${s.name}" is defined twice`);
      if (s.versions.length === 0) throw new Error(`service "${s.name}" has no version`);
      this.services.set(s.name, s);
      if (s.port !== undefined) this.ports.reserve(s.port);
      for (const v of s.versions) this.replicas.set(key(s.name, v.name), []);
    }
  }

  /**
   * Starts every version's replicas and resolves when all are ready (in the mesh, if one
   * is attached). Rejects with the replica that failed, and its last log lines, if one
   * crash-loops, cannot start or is not ready within the timeout; the fleet keeps running
   * then (call `stop()`).
   */
  async start(options: WaitOptions = {}): Promise<void> {
    if (this.state !== 'new') throw new Error(`fleet already ${this.state}`);
    this.state = 'running';
    const graceMs = Math.max(1000, ...this.options.services.map((s) => s.stop.graceMs));
    this.reaper.start(graceMs + 1000, this.options.env ?? process.env);
    process.on('exit', this.exitHandler);
    if (this.options.stopOnSignals) {
      process.on('SIGINT', this.signalHandler);
      process.on('SIGTERM', this.signalHandler);
    }
    this.emit('fleet.starting', 'fleet', { services: [...this.services.keys()] });
    // Every slot gets its port before any process starts, so {{urls.x}} is complete.
    const created: Replica[] = [];
    for (const s of this.services.values()) {
      for (const v of s.versions) {
        this.desired.set(key(s.name, v.name), v.replicas);
        for (let i = 0; i < v.replicas; i++) created.push(await this.createReplica(s, v));
      }
    }
    for (const r of created) r.start();
    await this.awaitReady(created, options.readyTimeoutMs ?? defaultReadyTimeoutMs);
    this.emit('fleet.ready', 'fleet', { replicas: created.length });
  }

  /** Stops every replica (drain, stop signal, SIGKILL after the grace period) and the watchdog. */
  stop(): Promise<void> {
    if (!this.stopPromise) this.stopPromise = this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.emit('fleet.stopping', 'fleet', {});
    const all = this.allReplicas();
    await Promise.all(all.map((r) => r.stop()));
    await Promise.all(all.map((r) => r.log.close()));
    await this.reaper.close();
    process.off('exit', this.exitHandler);
    process.off('SIGINT', this.signalHandler);
    process.off('SIGTERM', this.signalHandler);
    this.state = 'stopped';
    this.emit('fleet.stopped', 'fleet', {});
  }

  /** SIGKILLs every replica's process group at once (a second Ctrl-C); `stop()` still cleans up. */
  killAll(): void {
    this.exitHandler();
  }

  /** Every service with its versions and replicas, in spec order. */
  list(): ServiceStatus[] {
    return [...this.services.values()].map((s) => this.serviceStatus(s));
  }

  /** One service; throws E_NOT_FOUND for an unknown name. */
  service(name: string): ServiceStatus {
    return this.serviceStatus(this.requireService(name));
  }

  /** One replica with its last log lines; throws E_NOT_FOUND for an unknown id. */
  replica(id: string): ReplicaStatus {
    const r = this.requireReplica(id);
    return { ...replicaStatus(r), lastLines: r.log.lastLines(20) };
  }

  /** Calls `listener` after every replica state change. Returns the unsubscribe function. */
  onChange(listener: (replica: ReplicaStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Scales a version (default: the service's first) to `replicas`, starting new ones (and
   * waiting until they are ready) or draining and stopping the surplus.
   */
  async scale(
    service: string,
    replicas: number,
    options: WaitOptions & { version?: string } = {},
  ): Promise<ServiceStatus> {
    const s = this.requireService(service);
    const v = this.requireVersion(s, options.version);
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ShakedownError('E_USAGE', `replicas must be a non-negative integer, got ${replicas}`, {
        exitCode: ExitCode.usage,
      });
    return this.serial(service, async () => {
      const from = this.desired.get(key(s.name, v.name)) ?? 0;
      await this.scaleTo(s, v, replicas, options.readyTimeoutMs ?? defaultReadyTimeoutMs);
      this.emit('service.scaled', s.name, { service: s.name, version: v.name, from, to: replicas });
      return this.serviceStatus(s);
    });
  }

  /** Starts `replicas` replicas of a version (e.g. a canary) and waits until they are ready. */
  async startVersion(
    service: string,
    version: string,
    replicas: number,
    options: WaitOptions = {},
  ): Promise<ServiceStatus> {
    const s = this.requireService(service);
    const v = this.requireVersion(s, version);
    if (!Number.isInteger(replicas) || replicas < 1)
      throw new ShakedownError('E_USAGE', `replicas must be a positive integer, got ${replicas}`, {
        exitCode: ExitCode.usage,
      });
    return this.serial(service, async () => {
      await this.scaleTo(s, v, replicas, options.readyTimeoutMs ?? defaultReadyTimeoutMs);
      this.emit('version.started', s.name, { service: s.name, version: v.name, replicas });
      return this.serviceStatus(s);
    });
  }

  /** Drains and stops every replica of a version. */
  async stopVersion(service: string, version: string): Promise<ServiceStatus> {
    const s = this.requireService(service);
    const v = this.requireVersion(s, version);
    return this.serial(service, async () => {
      await this.scaleTo(s, v, 0, 0);
      this.emit('version.stopped', s.name, { service: s.name, version: v.name });
      return this.serviceStatus(s);
    });
  }

  /**
   * Replaces a service's replicas one batch at a time (default one): start a new one, wait
   * until it is ready and in the mesh, then drain and stop an old one. With `version`,
   * only that version. If a new replica does not get ready, it is stopped, the old ones
   * keep running and the restart fails.
   */
  async restart(
    service: string,
    options: WaitOptions & { version?: string; maxSurge?: number } = {},
  ): Promise<RestartResult> {
    const s = this.requireService(service);
    const versions = options.version ? [this.requireVersion(s, options.version)] : s.versions;
    const readyTimeoutMs = options.readyTimeoutMs ?? defaultReadyTimeoutMs;
    return this.serial(service, async () => {
      const startedMs = this.clock.monotonicMs();
      const replaced: RestartResult['replaced'] = [];
      this.emit('service.restarting', s.name, { service: s.name, versions: versions.map((v) => v.name) });
      for (const v of versions) {
        const slots = this.slots(s.name, v.name);
        for (const batch of planRollingRestart(slots, options.maxSurge ?? 1)) {
          const fresh: Replica[] = [];
          for (let i = 0; i < batch.start; i++) fresh.push(await this.createReplica(s, v));
          for (const r of fresh) r.start();
          try {
            await this.awaitReady(fresh, readyTimeoutMs);
          } catch (e) {
            await Promise.all(fresh.map((r) => this.retire(r)));
            this.emit('service.restart-failed', s.name, {
              service: s.name,
              version: v.name,
              message: e instanceof Error ? e.message : String(e),
            });
            throw e;
          }
          const old = batch.retire.map((id) => this.requireReplica(id));
          await Promise.all(old.map((r) => this.retire(r)));
          old.forEach((r, i) => {
            replaced.push({ old: r.id, new: fresh[i]?.id ?? '' });
          });
        }
        // Slots that had given up (crash loop) are replaced too, up to the desired count.
        await this.scaleTo(s, v, this.desired.get(key(s.name, v.name)) ?? 0, readyTimeoutMs);
      }
      const result = {
        service: s.name,
        replaced,
        durationMs: Math.round(this.clock.monotonicMs() - startedMs),
      };
      this.emit('service.restarted', s.name, { ...result });
      return result;
    });
  }

  /** Sends a signal (default SIGKILL) to a replica's processes; the restart policy then applies. */
  kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): ReplicaStatus {
    if (signal === 'SIGSTOP' || signal === 'SIGCONT')
      throw new ShakedownError('E_USAGE', `use pause / resume instead of ${signal}`, {
        exitCode: ExitCode.usage,
      });
    const r = this.requireReplica(id);
    r.kill(signal);
    return replicaStatus(r);
  }

  /**
   * Freezes a replica (SIGSTOP to its group). The mesh is not told: detecting it is the
   * mesh's job. With `ttlMs` the pause is a lease that resumes the replica by itself after
   * that long; pausing again renews it.
   */
  pause(id: string, options: { ttlMs?: number } = {}): ReplicaStatus {
    const r = this.requireReplica(id);
    r.pause(options);
    return replicaStatus(r);
  }

  /**
   * Fails a replica for `durationMs` (chaos: pod failure): SIGKILL, then the slot stays down
   * that long whatever the restart policy says, and is started again. Failing it again while
   * it is down extends the outage from now.
   */
  fail(id: string, durationMs: number): ReplicaStatus {
    const r = this.requireReplica(id);
    r.fail(durationMs);
    return replicaStatus(r);
  }

  /** Ends a failure early: the replica is started now. */
  recover(id: string): ReplicaStatus {
    const r = this.requireReplica(id);
    r.recover();
    return replicaStatus(r);
  }

  /** Resumes a paused replica (SIGCONT). */
  resume(id: string): ReplicaStatus {
    const r = this.requireReplica(id);
    r.resume();
    return replicaStatus(r);
  }

  /** Resolves when every active replica (of `service`, or of all) is ready. */
  async waitReady(timeoutMs: number, service?: string): Promise<void> {
    const names = service ? [this.requireService(service).name] : [...this.services.keys()];
    const replicas = this.allReplicas().filter((r) => names.includes(r.service.name) && isActive(r.state));
    await this.awaitReady(replicas, timeoutMs);
  }

  /** The log file of a replica (for `shakedown logs`). */
  logFile(id: string): string {
    return this.requireReplica(id).log.path;
  }

  private async scaleTo(
    s: ServiceDefinition,
    v: VersionDefinition,
    replicas: number,
    readyTimeoutMs: number,
  ) {
    const k = key(s.name, v.name);
    this.desired.set(k, replicas);
    const plan = planScale(this.slots(s.name, v.name), replicas);
    for (const id of plan.forget) this.drop(this.requireReplica(id));
    const fresh: Replica[] = [];
    for (let i = 0; i < plan.start; i++) fresh.push(await this.createReplica(s, v));
    for (const r of fresh) r.start();
    await Promise.all(plan.stop.map((id) => this.retire(this.requireReplica(id))));
    if (fresh.length > 0) await this.awaitReady(fresh, readyTimeoutMs);
  }

  /** Stops a replica and drops it from the listing (its events and log remain). */
  private async retire(r: Replica): Promise<void> {
    await r.stop();
    await r.log.close();
    this.drop(r);
  }

  private drop(r: Replica): void {
    const list = this.replicas.get(key(r.service.name, r.version.name));
    if (!list) return;
    const i = list.indexOf(r);
    if (i >= 0) list.splice(i, 1);
    if (r.service.port === undefined) this.ports.release(r.port);
    void r.log.close();
  }

  private async createReplica(s: ServiceDefinition, v: VersionDefinition): Promise<Replica> {
    if (this.state !== 'running') throw new ShakedownError('E_FLEET_STOPPED', `the fleet is ${this.state}`);
    const k = key(s.name, v.name);
    const index = this.nextIndex.get(k) ?? 0;
    this.nextIndex.set(k, index + 1);
    const id = `${s.name}-${v.name}-${index}`;
    const port = s.port ?? (await this.ports.allocate(s.host));
    // A stop may have begun while the port was found: a replica made now would escape it.
    if ((this.state as string) !== 'running') {
      if (s.port === undefined) this.ports.release(port);
      throw new ShakedownError('E_FLEET_STOPPED', `the fleet is ${this.state}`);
    }
    const log = new ReplicaLog(join(this.options.stateDir, 'logs', s.name), id, {
      maxSizeBytes: s.logs.maxSizeBytes,
      keep: s.logs.keep,
    });
    const replica = new Replica(id, index, s, v, port, log, this.replicaContext(s));
    this.replicas.get(k)?.push(replica);
    return replica;
  }

  private replicaContext(s: ServiceDefinition): ReplicaContext {
    return {
      clock: this.clock,
      emit: (kind, r, data = {}) =>
        this.emit(kind, r.id, {
          service: r.service.name,
          version: r.version.name,
          replica: r.id,
          pid: r.pid,
          port: r.port,
          ...data,
        }),
      mesh: this.options.mesh,
      reaper: this.reaper,
      baseEnv: this.options.env ?? process.env,
      lookupTemplate: (name) => this.templateValue(name),
      allocatePort: () => this.ports.allocate(s.host),
      changed: (r) => {
        const status = replicaStatus(r);
        for (const l of this.listeners) l(status);
      },
    };
  }

  /** `urls.SERVICE[.VERSION]`: base URLs of that service's active replicas, comma-separated. */
  private templateValue(name: string): string | undefined {
    const given = this.options.templates?.(name);
    if (given !== undefined) return given;
    const m = /^urls\.([a-z][a-z0-9-]*)(?:\.([a-z][a-z0-9-]*))?$/.exec(name);
    if (!m) return undefined;
    const s = this.services.get(m[1] as string);
    if (!s) return undefined;
    return s.versions
      .filter((v) => m[2] === undefined || v.name === m[2])
      .flatMap((v) => this.replicas.get(key(s.name, v.name)) ?? [])
      .filter((r) => !isTerminal(r.state))
      .map((r) => r.url)
      .join(',');
  }

  private async awaitReady(replicas: Replica[], timeoutMs: number): Promise<void> {
    const results = await Promise.allSettled(replicas.map((r) => r.whenReady(timeoutMs)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private serviceStatus(s: ServiceDefinition): ServiceStatus {
    return {
      name: s.name,
      versions: s.versions.map((v) => {
        const replicas = (this.replicas.get(key(s.name, v.name)) ?? []).map(replicaStatus);
        return {
          name: v.name,
          desired: this.desired.get(key(s.name, v.name)) ?? 0,
          ready: replicas.filter((r) => r.state === 'ready').length,
          replicas,
        };
      }),
    };
  }

  private slots(service: string, version: string) {
    return (this.replicas.get(key(service, version)) ?? []).map((r) => ({
      id: r.id,
      index: r.index,
      state: r.state,
    }));
  }

  private allReplicas(): Replica[] {
    return [...this.replicas.values()].flat();
  }

  private requireService(name: string): ServiceDefinition {
    const s = this.services.get(name);
    if (!s) throw notFound(`no service "${name}"; services: ${[...this.services.keys()].join(', ')}`);
    return s;
  }

  private requireVersion(s: ServiceDefinition, name: string | undefined): VersionDefinition {
    if (name === undefined) return s.versions[0] as VersionDefinition;
    const v = s.versions.find((x) => x.name === name);
    if (!v)
      throw notFound(
        `service "${s.name}" has no version "${name}"; versions: ${s.versions.map((x) => x.name).join(', ')}`,
      );
    return v;
  }

  private requireReplica(id: string): Replica {
    const r = this.allReplicas().find((x) => x.id === id);
    if (!r) throw notFound(`no replica "${id}"`);
    return r;
  }

  /** Operations on one service run one after another. */
  private serial<T>(service: string, op: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(service) ?? Promise.resolve();
    const next = previous.then(op);
    this.locks.set(
      service,
      next.catch(() => {}),
    );
    return next;
  }

  private emit(kind: string, subject: string, data: Record<string, unknown>): void {
    const event: RunEvent = { t: this.clock.now(), kind, source: 'fleet', subject, data };
    this.options.sink?.emit(event);
  }
}

function key(service: string, version: string): string {
  return `${service}\u0000${version}`;
}

function notFound(message: string): ShakedownError {
  return new ShakedownError('E_NOT_FOUND', message, { exitCode: ExitCode.usage });
}
