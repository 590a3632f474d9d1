import type { RunEvent } from '../../core/event.js';
import type { Registry } from '../../core/registry.js';
import type { FaultContext, FaultInstance, FaultType, PlannedFault } from '../faults/types.js';
import type { Injection } from '../measure/types.js';
import type { ChaosFaultSpec } from '../schema.js';
import type { RevertJournal } from './journal.js';

/**
 * Injects faults safely and keeps their leases: each fault is planned (targets resolved),
 * written to the revert journal (fsync'd) **before** it is injected, injected with a lease
 * of `leaseMs` (never past its TTL), renewed every third of a lease while the controller
 * runs, and reverted — on the step's end, on failure, abort and Ctrl-C (`revertAll`). If
 * the controller dies, renewals stop and every lease lapses by itself.
 */
export interface ActiveFault {
  instance: FaultInstance;
  type: FaultType;
  planned: PlannedFault;
  injection: Injection;
  hardExpiryMs: number;
}

export class Injector {
  private readonly active = new Map<string, ActiveFault>();
  private readonly done: Injection[] = [];
  private timer: NodeJS.Timeout | undefined;
  private n = 0;

  constructor(
    private readonly registry: Registry<FaultType>,
    private readonly ctx: FaultContext,
    private readonly journal: RevertJournal,
    private readonly options: {
      runId: string;
      leaseMs: number;
      /** Extra data the journal keeps with every fault (how to reach the controls). */
      journalData: Record<string, unknown>;
      emit(event: RunEvent): void;
    },
  ) {}

  /** Starts renewing leases. */
  start(): void {
    const every = Math.max(100, Math.floor(this.options.leaseMs / 3));
    this.timer = setInterval(() => void this.renewAll(), every);
    this.timer.unref();
  }

  /** Every injection so far (reverted or not), in order. */
  injections(): Injection[] {
    return [...this.done, ...[...this.active.values()].map((a) => a.injection)].sort(
      (a, b) => a.injectedAtMs - b.injectedAtMs,
    );
  }

  /** Plans a fault: resolves targets without acting (also what `--dry-run` shows). */
  async plan(
    spec: ChaosFaultSpec,
    durationMs: number,
  ): Promise<{ instance: FaultInstance; planned: PlannedFault }> {
    const type = this.registry.get(spec.type);
    const ttlMs = spec.ttl ?? durationMs + 30_000;
    const instance: FaultInstance = {
      id: `chaos-${this.options.runId}-${++this.n}`,
      durationMs,
      ttlMs,
      leaseMs: Math.min(this.options.leaseMs, ttlMs),
    };
    const { type: _, ttl: __, ...params } = spec as Record<string, unknown>;
    return { instance, planned: await type.plan(params as never, this.ctx, instance) };
  }

  /** Journals, then injects a planned fault. Returns the injection. */
  async inject(spec: ChaosFaultSpec, instance: FaultInstance, planned: PlannedFault): Promise<Injection> {
    const type = this.registry.get(spec.type);
    const now = this.ctx.now();
    const hardExpiryMs = now + instance.ttlMs;
    this.journal.begin({
      id: instance.id,
      runId: this.options.runId,
      pid: process.pid,
      type: spec.type,
      data: { ...planned.data, ...this.options.journalData, instance },
      writtenAtMs: now,
      expiresAtMs: hardExpiryMs,
    });
    const leaseUntil = Math.min(now + instance.leaseMs, hardExpiryMs);
    const injection: Injection = {
      id: instance.id,
      type: spec.type,
      instant: planned.instant ?? false,
      targets: planned.targets,
      injectedAtMs: now,
      ...(planned.recovery ? { recovery: planned.recovery } : {}),
    };
    try {
      await type.inject(planned.data, this.ctx, instance, leaseUntil);
    } catch (e) {
      // Whatever half-happened is undone; the journal entry is closed either way.
      await type.revert(planned.data, this.ctx, instance.id).catch(() => {});
      this.journal.reverted(instance.id, this.ctx.now(), 'failed');
      throw e;
    }
    this.journal.injected(instance.id, this.ctx.now());
    this.emit('fault.injected', instance.id, {
      type: spec.type,
      targets: planned.targets,
      ttlMs: instance.ttlMs,
      leaseMs: instance.leaseMs,
      instant: injection.instant,
    });
    if (injection.instant) {
      injection.revertedAtMs = now;
      this.journal.reverted(instance.id, this.ctx.now(), 'instant');
      this.done.push(injection);
    } else {
      this.active.set(instance.id, { instance, type, planned, injection, hardExpiryMs });
    }
    return injection;
  }

  /** Reverts one active fault; resolves when it is undone. */
  async revert(id: string, reason = 'reverted'): Promise<void> {
    const a = this.active.get(id);
    if (!a) return;
    this.active.delete(id);
    let how: string = reason;
    try {
      const r = await a.type.revert(a.planned.data, this.ctx, id);
      if (r === 'gone') how = 'gone';
    } catch (e) {
      this.emit('fault.revert-failed', id, { message: (e as Error).message });
      how = 'revert-failed';
    }
    a.injection.revertedAtMs = this.ctx.now();
    this.done.push(a.injection);
    this.journal.reverted(id, this.ctx.now(), how);
    this.emit('fault.reverted', id, { type: a.type.type, how, reason });
  }

  /** Reverts everything still in force (success, failure, abort, Ctrl-C). */
  async revertAll(reason: string): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.revert(id, reason)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async renewAll(): Promise<void> {
    const now = this.ctx.now();
    for (const a of [...this.active.values()]) {
      if (!a.type.renew) continue;
      const until = Math.min(now + a.instance.leaseMs, a.hardExpiryMs);
      if (until <= now) continue;
      try {
        const alive = await a.type.renew(a.planned.data, this.ctx, a.instance, until);
        if (!alive && this.active.has(a.instance.id)) {
          // Lapsed or removed from outside (chaos stop, a reset): it is over.
          this.active.delete(a.instance.id);
          a.injection.revertedAtMs = this.ctx.now();
          this.done.push(a.injection);
          this.journal.reverted(a.instance.id, this.ctx.now(), 'lost');
          this.emit('fault.lost', a.instance.id, { type: a.type.type });
        }
      } catch (e) {
        this.emit('fault.renew-failed', a.instance.id, { message: (e as Error).message });
      }
    }
  }

  private emit(kind: string, subject: string, data: Record<string, unknown>): void {
    this.options.emit({ t: this.ctx.now(), kind, source: 'chaos', subject, data });
  }
}
