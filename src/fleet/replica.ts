import type { Clock } from '../core/clock.js';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import {
  defaultReadiness,
  type ProbeDefinition,
  type ServiceDefinition,
  type VersionDefinition,
} from './definition.js';
import { replicaEnv } from './env-template.js';
import { MeshMembership } from './mesh-membership.js';
import type { MeshPort } from './mesh-port.js';
import { checkProbe } from './probe-check.js';
import { type ProbeLoopHooks, runProbeLoop } from './probe-loop.js';
import type { ProbeKind, ProbeReaction } from './probe-state.js';
import { groupAlive, signalGroup } from './process-group.js';
import type { Reaper } from './reaper.js';
import type { ReplicaLog } from './replica-log.js';
import { type ProcessExit, type ReplicaProcess, spawnReplicaProcess } from './replica-process.js';
import { isTerminal, type ReplicaState } from './replica-state.js';
import { decideAfterExit } from './restart-decision.js';

/** What a replica needs from its fleet. */
export interface ReplicaContext {
  clock: Clock;
  /** Emits a `fleet` event about this replica. */
  emit(kind: string, replica: Replica, data?: Record<string, unknown>): void;
  mesh: MeshPort | undefined;
  reaper: Reaper;
  /** The environment replicas inherit (when the service inherits). */
  baseEnv: NodeJS.ProcessEnv;
  /** Values of `{{templates}}` in env that are not the replica's own. */
  lookupTemplate(name: string): string | undefined;
  /** A fresh port for a restart whose previous run never became ready. */
  allocatePort(): Promise<number>;
  /** Called after every state change. */
  changed(replica: Replica): void;
}

/** How a replica's last process ended. */
export interface LastExit {
  code: number | null;
  signal: string | null;
  /** Epoch ms. */
  at: number;
}

/**
 * One replica slot of a service version: starts its process, probes it, joins it to the
 * mesh when ready and drains it before it stops, and restarts it after an exit as the
 * restart policy and the crash-loop limit decide. The id stays over restarts.
 */
export class Replica {
  state: ReplicaState = 'starting';
  pid: number | undefined;
  /** Restarts after exits (not counting the first start). */
  restarts = 0;
  lastExit: LastExit | undefined;
  /** Why the replica is in a terminal state, for people. */
  reason: string | undefined;
  startedAt: number | undefined;
  readyAt: number | undefined;

  private process: ReplicaProcess | undefined;
  private runAbort: AbortController | undefined;
  private backoffAbort: AbortController | undefined;
  private startedMono = 0;
  private readyMono: number | undefined;
  private everReady = false;
  private shortRuns = 0;
  private readonly membership: MeshMembership;
  private stopRequested = false;
  private stopping: Promise<void> | undefined;
  private pausedFrom: ReplicaState | undefined;
  private pauseLease: AbortController | undefined;
  private failureHold: { durationMs: number; untilMono: number } | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(
    readonly id: string,
    readonly index: number,
    readonly service: ServiceDefinition,
    readonly version: VersionDefinition,
    public port: number,
    readonly log: ReplicaLog,
    private readonly ctx: ReplicaContext,
  ) {
    this.membership = new MeshMembership(ctx.mesh, service.name, version.name, (message) =>
      ctx.emit('replica.mesh-error', this, { message }),
    );
  }

  get host(): string {
    return this.service.host;
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Starts the first process. */
  start(): void {
    this.launch();
  }

  /** Resolves when the replica is ready and in the mesh; rejects if it ends up terminal or after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (isTerminal(this.state)) return Promise.reject(this.notReadyError());
    return new Promise((resolve, reject) => {
      const timeout = new AbortController();
      const waiter = {
        resolve: () => {
          timeout.abort();
          resolve();
        },
        reject: (e: Error) => {
          timeout.abort();
          reject(e);
        },
      };
      void this.ctx.clock.sleep(timeoutMs, timeout.signal).then(() => {
        if (timeout.signal.aborted) return;
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(this.notReadyError(`not ready within ${timeoutMs} ms`));
      });
      this.waiters.push(waiter);
    });
  }

  /** Sends `signal` to the replica's process group (chaos: kill); the restart policy then applies. */
  kill(signal: NodeJS.Signals): void {
    const pid = this.requirePid('kill');
    signalGroup(pid, signal);
    this.ctx.emit('replica.killed', this, { signal });
  }

  /**
   * Freezes the replica's processes with SIGSTOP; probes are suspended meanwhile. With
   * `ttlMs` the pause is a lease: the replica is resumed by itself after that long, and
   * pausing it again renews the lease (a chaos controller that dies leaves nothing frozen).
   */
  pause(options: { ttlMs?: number } = {}): void {
    if (options.ttlMs !== undefined && !(Number.isFinite(options.ttlMs) && options.ttlMs > 0))
      throw new ShakedownError('E_USAGE', `invalid pause TTL ${options.ttlMs}: expected ms > 0`, {
        exitCode: ExitCode.usage,
      });
    if (this.state !== 'paused') {
      if (this.state !== 'ready' && this.state !== 'unready' && this.state !== 'starting')
        throw this.stateError('pause');
      signalGroup(this.requirePid('pause'), 'SIGSTOP');
      this.pausedFrom = this.state;
      this.setState('paused');
      this.ctx.emit('replica.paused', this, options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs });
    }
    if (options.ttlMs !== undefined) this.leasePause(options.ttlMs);
  }

  private leasePause(ttlMs: number): void {
    this.pauseLease?.abort();
    const lease = new AbortController();
    this.pauseLease = lease;
    void this.ctx.clock.sleep(ttlMs, lease.signal).then(() => {
      if (lease.signal.aborted || this.pauseLease !== lease || this.state !== 'paused') return;
      this.pauseLease = undefined;
      this.ctx.emit('replica.pause-expired', this, { ttlMs });
      this.resume();
    });
  }

  /**
   * A failure for a while (Chaos Mesh's pod-failure): the process is SIGKILLed and the slot
   * stays down for `durationMs` — whatever the restart policy and backoff say — then it is
   * started again. Failing it again while it is down extends the outage from now.
   */
  fail(durationMs: number): void {
    if (!(Number.isFinite(durationMs) && durationMs > 0))
      throw new ShakedownError('E_USAGE', `invalid failure duration ${durationMs}: expected ms > 0`, {
        exitCode: ExitCode.usage,
      });
    if (this.state === 'backoff' && this.failureHold !== undefined) {
      this.failureHold = { durationMs, untilMono: this.ctx.clock.monotonicMs() + durationMs };
      this.backoffAbort?.abort();
      this.holdDown();
      return;
    }
    const pid = this.requirePid('fail');
    this.failureHold = { durationMs, untilMono: this.ctx.clock.monotonicMs() + durationMs };
    signalGroup(pid, 'SIGKILL');
    this.ctx.emit('replica.failing', this, { durationMs, signal: 'SIGKILL' });
  }

  /** Ends a failure early: a replica held down by {@link fail} is started now. */
  recover(): void {
    if (this.failureHold === undefined) throw this.stateError('recover');
    if (this.state !== 'backoff') {
      // Killed but not yet reaped: restart as soon as the exit is seen.
      this.failureHold = { ...this.failureHold, untilMono: 0 };
      return;
    }
    this.backoffAbort?.abort();
    this.failureHold = undefined;
    this.ctx.emit('replica.recovering', this, { reason: 'recovered' });
    this.restarts++;
    this.launch();
  }

  private holdDown(): void {
    const hold = this.failureHold;
    if (!hold) return;
    const delayMs = Math.max(0, Math.round(hold.untilMono - this.ctx.clock.monotonicMs()));
    this.setState('backoff');
    this.ctx.emit('replica.restarting', this, { delayMs, attempt: this.restarts + 2, reason: 'failure' });
    const abort = new AbortController();
    this.backoffAbort = abort;
    void this.ctx.clock.sleep(delayMs, abort.signal).then(() => {
      if (abort.signal.aborted || this.stopRequested) return;
      this.failureHold = undefined;
      this.ctx.emit('replica.recovering', this, { reason: 'failure over' });
      this.restarts++;
      this.launch();
    });
  }

  /** Lets a paused replica run again (SIGCONT). */
  resume(): void {
    this.pauseLease?.abort();
    this.pauseLease = undefined;
    if (this.state !== 'paused') throw this.stateError('resume');
    signalGroup(this.requirePid('resume'), 'SIGCONT');
    this.setState(this.pausedFrom ?? 'starting');
    this.pausedFrom = undefined;
    this.ctx.emit('replica.resumed', this);
  }

  /**
   * Stops the replica for good: drains it from the mesh, sends the stop signal, SIGKILL
   * after the grace period. Idempotent; resolves when no process of it is left.
   */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopRequested = true;
      this.stopping = this.doStop();
    }
    return this.stopping;
  }

  /** SIGKILLs the process group at once; for the fleet's last-chance exit handler. */
  killNow(): void {
    if (this.pid !== undefined) signalGroup(this.pid, 'SIGKILL');
  }

  private async doStop(): Promise<void> {
    this.backoffAbort?.abort();
    this.pauseLease?.abort();
    this.failureHold = undefined;
    const proc = this.process;
    if (!proc || this.pid === undefined) {
      if (!isTerminal(this.state)) this.finish('stopped', 'stopped');
      return;
    }
    const pid = this.pid;
    await this.membership.settled();
    if (this.membership.isJoined) {
      this.setState('draining');
      this.ctx.emit('replica.draining', this);
      const startedMs = this.ctx.clock.monotonicMs();
      const result = await this.leaveMesh(true);
      this.ctx.emit('replica.drained', this, {
        ...result,
        drainMs: Math.round(this.ctx.clock.monotonicMs() - startedMs),
      });
    }
    if (this.process === proc) {
      this.setState('stopping');
      signalGroup(pid, this.service.stop.signal);
      if (this.pausedFrom !== undefined) signalGroup(pid, 'SIGCONT');
      const graceOver = new AbortController();
      const exitedInTime = await Promise.race([
        proc.exited.then(() => true),
        this.ctx.clock.sleep(this.service.stop.graceMs, graceOver.signal).then(() => false),
      ]);
      graceOver.abort();
      if (!exitedInTime) {
        signalGroup(pid, 'SIGKILL');
        this.ctx.emit('replica.killed', this, { signal: 'SIGKILL', reason: 'grace period over' });
      }
    }
    await proc.exited;
    // Whatever the replica forked is in its group; nothing may outlive it.
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    await proc.closed;
  }

  private launch(): void {
    if (this.stopRequested) return;
    const ctx = this.ctx;
    const env = replicaEnv(
      {
        service: this.service.name,
        version: this.version.name,
        replica: this.id,
        host: this.host,
        port: this.port,
      },
      this.version.env,
      ctx.baseEnv,
      this.service.inheritEnv,
      (name) => ctx.lookupTemplate(name),
    );
    this.readyMono = undefined;
    this.readyAt = undefined;
    this.startedMono = ctx.clock.monotonicMs();
    this.startedAt = ctx.clock.now();
    const proc = spawnReplicaProcess(this.version.run, { cwd: this.service.cwd, env, log: this.log });
    this.process = proc;
    this.pid = proc.pid;
    this.setState('starting');
    if (proc.pid !== undefined) {
      ctx.reaper.track(proc.pid);
      this.log.note(
        `started pid ${proc.pid} on port ${this.port}: ${JSON.stringify(this.version.run)}`,
        ctx.clock.now(),
      );
      ctx.emit('replica.started', this, { attempt: this.restarts + 1 });
      this.runAbort = new AbortController();
      this.startProbes(this.runAbort.signal);
    }
    void proc.exited.then((exit) => this.onExit(proc, exit));
  }

  private startProbes(signal: AbortSignal): void {
    const { startup, liveness } = this.service.probes;
    const readiness = this.service.probes.readiness ?? defaultReadiness;
    const hooks = (kind: ProbeKind, probe: ProbeDefinition): ProbeLoopHooks => ({
      clock: this.ctx.clock,
      check: () => checkProbe(probe, this.host, this.port),
      paused: () => this.state === 'paused',
      // Until a run is first ready, readiness is polled fast: failures then change nothing,
      // and a (re)started replica should be back in the mesh without waiting out an interval.
      fast: () => kind === 'readiness' && this.readyMono === undefined,
      react: (reaction) => this.react(reaction, kind, signal),
      started: () => {
        void runProbeLoop('readiness', readiness, signal, hooks('readiness', readiness));
        if (liveness) void runProbeLoop('liveness', liveness, signal, hooks('liveness', liveness));
      },
    });
    if (startup) void runProbeLoop('startup', startup, signal, hooks('startup', startup));
    else hooks('startup', readiness).started?.();
  }

  private async react(reaction: ProbeReaction, kind: ProbeKind, signal: AbortSignal): Promise<void> {
    if (reaction === 'ready' && (this.state === 'starting' || this.state === 'unready')) {
      await this.joinMesh();
      if (signal.aborted || this.stopRequested) return;
      const first = !this.everReady;
      this.everReady = true;
      this.readyMono ??= this.ctx.clock.monotonicMs();
      this.readyAt = this.ctx.clock.now();
      this.setState('ready');
      this.ctx.emit('replica.ready', this, {
        startupMs: Math.round(this.ctx.clock.monotonicMs() - this.startedMono),
        ...(first ? {} : { again: true }),
      });
      for (const w of this.waiters.splice(0)) w.resolve();
    } else if (reaction === 'unready' && this.state === 'ready') {
      this.setState('unready');
      this.ctx.emit('replica.unready', this);
      void this.leaveMesh(true);
    } else if (reaction === 'restart' && !this.stopRequested && this.pid !== undefined) {
      this.log.note(`${kind} probe failed; restarting`, this.ctx.clock.now());
      this.ctx.emit('replica.probe-failed', this, { probe: kind });
      const pid = this.pid;
      signalGroup(pid, this.service.stop.signal);
      await this.ctx.clock.sleep(this.service.stop.graceMs, signal);
      if (!signal.aborted) signalGroup(pid, 'SIGKILL');
    }
  }

  private joinMesh(): Promise<unknown> {
    const proc = this.process;
    const endpoint = { id: this.id, host: this.host, port: this.port };
    // The process may have ended, or a stop begun, while earlier mesh calls ran.
    return this.membership.join(
      endpoint,
      () => !this.stopRequested && proc !== undefined && this.process === proc,
    );
  }

  /** Takes the endpoint out of the mesh, draining it first unless the process is gone. */
  private leaveMesh(drain: boolean) {
    return this.membership.leave(drain, this.service.stop.drainTimeoutMs);
  }

  private onExit(proc: ReplicaProcess, exit: ProcessExit): void {
    if (proc !== this.process) return;
    const ctx = this.ctx;
    this.runAbort?.abort();
    const pid = this.pid;
    this.process = undefined;
    this.pid = undefined;
    this.pausedFrom = undefined;
    if (pid !== undefined) {
      ctx.reaper.untrack(pid);
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    }
    if (exit.spawnError) {
      const e = exit.spawnError;
      const why = e.code === 'ENOENT' ? 'command or working directory not found' : (e.code ?? e.message);
      this.log.note(
        `cannot start ${JSON.stringify(this.version.run)} in ${this.service.cwd}: ${why}`,
        ctx.clock.now(),
      );
      this.finish('failed', `cannot start "${this.version.run[0]}" in ${this.service.cwd}: ${why}`);
      return;
    }
    const now = ctx.clock.monotonicMs();
    const uptimeMs = Math.round(now - this.startedMono);
    const readyForMs = this.readyMono === undefined ? 0 : now - this.readyMono;
    void this.leaveMesh(false);
    this.lastExit = { code: exit.code, signal: exit.signal, at: ctx.clock.now() };
    this.log.note(
      `exited pid ${pid} with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`} after ${uptimeMs} ms`,
      ctx.clock.now(),
    );
    ctx.emit('replica.exited', this, {
      pid,
      code: exit.code,
      signal: exit.signal,
      uptimeMs,
      requested: this.stopRequested,
    });
    if (this.failureHold !== undefined && !this.stopRequested) {
      // An injected failure: down for its duration, not counted as a crash.
      this.holdDown();
      return;
    }
    const decision = decideAfterExit(
      { code: exit.code, signal: exit.signal, requested: this.stopRequested },
      readyForMs,
      this.shortRuns,
      this.service.restart,
    );
    if (decision.action === 'stay-down') {
      if (decision.reason === 'stopped') this.finish('stopped', 'stopped');
      else
        this.finish(
          'exited',
          `exited (${describeExit(exit)}); restart policy "${this.service.restart.policy}"`,
        );
      return;
    }
    this.shortRuns = decision.shortRuns;
    if (decision.action === 'crash-loop') {
      this.finish(
        'crash-loop',
        `crash loop: ${decision.shortRuns} short runs in a row (limit ${this.service.restart.crashLoopLimit}); last exit ${describeExit(exit)}`,
        { shortRuns: decision.shortRuns, lastLines: this.log.lastLines(20) },
      );
      return;
    }
    this.setState('backoff');
    ctx.emit('replica.restarting', this, { delayMs: decision.delayMs, attempt: this.restarts + 2 });
    const abort = new AbortController();
    this.backoffAbort = abort;
    void this.restartAfter(decision.delayMs, exit, abort.signal);
  }

  private async restartAfter(delayMs: number, exit: ProcessExit, signal: AbortSignal): Promise<void> {
    await this.ctx.clock.sleep(delayMs, signal);
    if (signal.aborted || this.stopRequested) return;
    // A run that never got ready may have lost its port to someone else; take a new one.
    if (!this.everReady && this.service.port === undefined && exit.code !== 0) {
      this.port = await this.ctx.allocatePort();
      if (signal.aborted || this.stopRequested) return;
    }
    this.restarts++;
    this.launch();
  }

  private finish(state: ReplicaState, reason: string, data: Record<string, unknown> = {}): void {
    this.reason = reason;
    this.setState(state);
    const kind = state === 'stopped' ? 'replica.stopped' : `replica.${state}`;
    this.ctx.emit(kind, this, { reason, ...data });
    const err = this.notReadyError();
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private setState(state: ReplicaState): void {
    this.state = state;
    this.ctx.changed(this);
  }

  private requirePid(action: string): number {
    if (this.pid === undefined) throw this.stateError(action);
    return this.pid;
  }

  private stateError(action: string): ShakedownError {
    return new ShakedownError('E_REPLICA_STATE', `cannot ${action} replica ${this.id}: it is ${this.state}`, {
      exitCode: ExitCode.usage,
    });
  }

  private notReadyError(why?: string): ShakedownError {
    const detail = why ?? `${this.state}${this.reason ? ` (${this.reason})` : ''}`;
    const lines = this.log.lastLines(10);
    return new ShakedownError('E_REPLICA_NOT_READY', `replica ${this.id} is not ready: ${detail}`, {
      exitCode: ExitCode.environment,
      hint: lines.length
        ? `last log lines of ${this.log.path}:\n    ${lines.join('\n    ')}`
        : `see ${this.log.path}`,
    });
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
