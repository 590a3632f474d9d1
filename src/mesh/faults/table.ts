import { randomBytes } from 'node:crypto';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Registry } from '../../core/registry.js';
import type { MeshContext } from '../context.js';
import { findHeader } from '../headers.js';
import type { FaultSpec } from '../model.js';
import type { FaultPlan, FaultType } from './types.js';

/** A fault in force. `expiresAtMs` is wall time (ms since the epoch); 0: no TTL. */
export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  type: FaultType;
  source: 'spec' | 'runtime';
  createdAtMs: number;
  expiresAtMs: number;
  /** Requests it was applied to. */
  hits: number;
}

/**
 * The faults in force, each with a TTL lease: a fault added with a TTL removes itself when
 * it runs out (a timer, and also a check at match time, so an expired fault never applies
 * even if the timer is late), whether or not whoever added it is still alive.
 */
export class FaultTable {
  private faults: ActiveFault[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Injections by `type\u0001route\u0001service\u0001version`, for metrics. */
  readonly injected = new Map<string, number>();

  constructor(
    private readonly ctx: MeshContext,
    private readonly types: Registry<FaultType>,
  ) {}

  get size(): number {
    return this.faults.length;
  }

  add(spec: FaultSpec, source: 'spec' | 'runtime'): ActiveFault {
    const type = this.types.get(spec.type);
    const id = spec.id ?? `f-${randomBytes(4).toString('hex')}`;
    if (this.faults.some((f) => f.id === id)) {
      throw new ShakedownError('E_MESH_FAULT_EXISTS', `a fault with id "${id}" already exists`, {
        exitCode: ExitCode.usage,
        hint: 'remove it first, or give another id',
      });
    }
    const now = this.ctx.clock.now();
    const ttl = spec.ttlMs ?? 0;
    const fault: ActiveFault = {
      id,
      spec: { ...spec, id },
      type,
      source,
      createdAtMs: now,
      expiresAtMs: ttl > 0 ? now + ttl : 0,
      hits: 0,
    };
    this.faults = [...this.faults, fault];
    if (ttl > 0) {
      const timer = setTimeout(() => this.expire(id), ttl);
      timer.unref();
      this.timers.set(id, timer);
    }
    this.ctx.emit('fault.injected', id, { fault: describe(fault) });
    return fault;
  }

  /**
   * Renews a run-time fault's lease: it now expires `ttlMs` from now (a chaos controller
   * renews its faults while it runs, so they lapse soon after it dies). Returns the fault,
   * or undefined when there is none (it expired or was removed: the lease is lost).
   */
  renew(id: string, ttlMs: number): ActiveFault | undefined {
    this.prune();
    const f = this.faults.find((x) => x.id === id);
    if (!f) return undefined;
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new ShakedownError('E_MESH_FAULT_TTL', `a lease renewal needs a ttl > 0, got ${ttlMs}`, {
        exitCode: ExitCode.usage,
      });
    }
    f.expiresAtMs = this.ctx.clock.now() + ttlMs;
    const old = this.timers.get(id);
    if (old) clearTimeout(old);
    const timer = setTimeout(() => this.expire(id), ttlMs);
    timer.unref();
    this.timers.set(id, timer);
    return f;
  }

  remove(id: string, kind = 'fault.removed'): boolean {
    const f = this.faults.find((x) => x.id === id);
    if (!f) return false;
    this.faults = this.faults.filter((x) => x !== f);
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
    this.ctx.emit(kind, id, { fault: describe(f), hits: f.hits });
    return true;
  }

  /** Removes every fault (of one source, if given); returns how many. */
  clear(source?: 'spec' | 'runtime'): number {
    const ids = this.faults.filter((f) => source === undefined || f.source === source).map((f) => f.id);
    for (const id of ids) this.remove(id);
    return ids.length;
  }

  list(): ActiveFault[] {
    this.prune();
    return [...this.faults];
  }

  /**
   * Rolls every fault matching this request and adds the effects of those that hit to
   * `plan`. Returns true when at least one did.
   */
  plan(
    route: string,
    service: string,
    version: string,
    rawHeaders: readonly string[],
    plan: FaultPlan,
  ): boolean {
    const faults = this.faults;
    let any = false;
    let now = 0;
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i] as ActiveFault;
      const s = f.spec;
      const t = s.target;
      if (t.route !== undefined && t.route !== route) continue;
      if (t.service !== undefined && t.service !== service) continue;
      if (t.version !== undefined && t.version !== version) continue;
      if (s.header !== undefined) {
        const v = findHeader(rawHeaders, s.header.name);
        if (v === undefined || (s.header.equals !== undefined && v !== s.header.equals)) continue;
      }
      if (f.expiresAtMs > 0) {
        now ||= this.ctx.clock.now();
        if (now >= f.expiresAtMs) continue;
      }
      if (s.percentage < 1 && this.ctx.random.next() >= s.percentage) continue;
      f.type.apply(s.params, plan, this.ctx.random);
      f.hits++;
      const key = `${s.type}\u0001${route}\u0001${service}\u0001${version}`;
      this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
      any = true;
    }
    return any;
  }

  /** Clears every timer (the mesh is stopping). */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private expire(id: string): void {
    this.timers.delete(id);
    this.remove(id, 'fault.expired');
  }

  private prune(): void {
    const now = this.ctx.clock.now();
    for (const f of this.faults) if (f.expiresAtMs > 0 && now >= f.expiresAtMs) this.expire(f.id);
  }
}

/** A fault as JSON (admin API, events). */
export function describe(f: ActiveFault): Record<string, unknown> {
  return {
    id: f.id,
    type: f.spec.type,
    ...f.spec.target,
    percentage: f.spec.percentage,
    ...(f.spec.header ? { header: f.spec.header } : {}),
    ...f.spec.params,
    source: f.source,
    createdAt: new Date(f.createdAtMs).toISOString(),
    expiresAt: f.expiresAtMs > 0 ? new Date(f.expiresAtMs).toISOString() : null,
    hits: f.hits,
  };
}
