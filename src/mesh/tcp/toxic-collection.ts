import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { usageError } from '../../core/errors.js';
import type { Registry } from '../../core/registry.js';
import type { AppliedToxic } from './connection.js';
import type { StageContext, Stream, ToxicStage, ToxicType } from './core/types.js';
import { toxicSchema } from './schema.js';

/** A toxic to add, as the API and the admin endpoint take it (Toxiproxy's fields). */
export interface ToxicInput {
  /** Unique per listener; default `<type>_<stream>` as in Toxiproxy. */
  name?: string;
  type: string;
  /** Default `downstream`. */
  stream?: Stream;
  /** Probability that the toxic acts on a connection, in [0, 1] or `"50%"`; default 1. */
  toxicity?: number | string;
  /** Type-specific, units in the names (`latencyMs`, `rateKBps`, …). */
  attributes?: Record<string, unknown>;
}

/** Why a toxic went away. */
export type ToxicRemovalReason = 'removed' | 'ttl' | 'reset' | 'closed';

/** A toxic in force, as listed by the admin API. */
export interface ToxicInfo {
  id: number;
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, unknown>;
  addedAtMs: number;
  /** When its lease ends (ms since the epoch), if it was added with a TTL. */
  expiresAtMs?: number;
  /** Connections it has acted on so far (those whose toxicity draw passed). */
  connectionsAffected: number;
}

/** A toxic in force on a listener. */
export interface ToxicEntry extends AppliedToxic {
  readonly info: ToxicInfo;
}

/** What the collection tells its listener about. */
export interface ToxicCollectionHooks {
  added(entry: ToxicEntry): void;
  removed(entry: ToxicEntry, reason: ToxicRemovalReason): void;
}

/**
 * The toxics of one listener in the order they were added (Toxiproxy's ToxicCollection):
 * validation through each type's schema, unique names, and TTL leases. A lease is a timer
 * on the injected clock that removes the toxic by itself, so a fault is reverted even if
 * whoever added it has gone.
 */
export class ToxicCollection {
  private readonly entries = new Map<string, ToxicEntry>();
  private readonly leases = new Map<number, AbortController>();
  private readonly schema: ReturnType<typeof toxicSchema>;
  private nextId = 1;

  constructor(
    private readonly registry: Registry<ToxicType>,
    private readonly clock: Clock,
    private readonly hooks: ToxicCollectionHooks,
  ) {
    this.schema = toxicSchema(registry);
  }

  /** Validates and adds a toxic; throws a usage error naming what is wrong. */
  add(input: ToxicInput, options: { ttlMs?: number } = {}): ToxicEntry {
    const parsed = this.schema.safeParse(input);
    if (!parsed.success) throw invalidToxic(input, parsed.error);
    const t = parsed.data;
    if (this.entries.has(t.name)) {
      throw usageError(
        'E_TOXIC_EXISTS',
        `a toxic named "${t.name}" already exists on this listener`,
        'remove it first, or give the new one another name',
      );
    }
    const ttlMs = options.ttlMs ?? t.ttlMs;
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw usageError('E_TOXIC_TTL', `invalid TTL ${ttlMs} for toxic "${t.name}": expected ms > 0`);
    }
    const def = this.registry.get(t.type);
    const now = this.clock.now();
    const info: ToxicInfo = {
      id: this.nextId++,
      name: t.name,
      type: t.type,
      stream: t.stream,
      toxicity: t.toxicity,
      attributes: t.attributes,
      addedAtMs: now,
      connectionsAffected: 0,
      ...(ttlMs === undefined ? {} : { expiresAtMs: now + ttlMs }),
    };
    const entry: ToxicEntry = {
      id: info.id,
      stream: info.stream,
      toxicity: info.toxicity,
      info,
      makeStage: (ctx: StageContext): ToxicStage => def.create(t.attributes, ctx),
      acted: () => {
        info.connectionsAffected++;
      },
    };
    this.entries.set(entry.info.name, entry);
    if (ttlMs !== undefined) this.lease(entry, ttlMs);
    this.hooks.added(entry);
    return entry;
  }

  /** Removes a toxic by name; false if there is none. */
  remove(name: string, reason: ToxicRemovalReason = 'removed'): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    this.entries.delete(name);
    this.leases.get(entry.id)?.abort();
    this.leases.delete(entry.id);
    this.hooks.removed(entry, reason);
    return true;
  }

  /**
   * Renews a toxic's TTL lease: it now ends `ttlMs` from now (a chaos controller renews
   * while it runs, so the toxic lapses soon after it dies). False when there is no such
   * toxic (it lapsed or was removed).
   */
  renew(name: string, ttlMs: number): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw usageError('E_TOXIC_TTL', `invalid TTL ${ttlMs} for toxic "${name}": expected ms > 0`);
    }
    this.leases.get(entry.id)?.abort();
    entry.info.expiresAtMs = this.clock.now() + ttlMs;
    this.lease(entry, ttlMs);
    return true;
  }

  /** Removes every toxic. */
  clear(reason: ToxicRemovalReason): void {
    for (const name of [...this.entries.keys()]) this.remove(name, reason);
  }

  get(name: string): ToxicEntry | undefined {
    return this.entries.get(name);
  }

  /** In the order they were added, which is each direction's chain order. */
  all(): ToxicEntry[] {
    return [...this.entries.values()];
  }

  private lease(entry: ToxicEntry, ttlMs: number): void {
    const ac = new AbortController();
    this.leases.set(entry.id, ac);
    void this.clock.sleep(ttlMs, ac.signal).then(() => {
      if (ac.signal.aborted || this.entries.get(entry.info.name) !== entry) return;
      this.remove(entry.info.name, 'ttl');
    });
  }
}

function invalidToxic(input: ToxicInput, error: z.ZodError) {
  const what = typeof input?.type === 'string' ? `${input.type} toxic` : 'toxic';
  const problems = error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
  return usageError(
    'E_TOXIC_INVALID',
    `invalid ${what}${input?.name ? ` "${input.name}"` : ''}: ${problems.join('; ')}`,
    'see "TCP listeners and toxics" in the README for each type and its attributes',
  );
}
