import type { z } from 'zod';
import type { Random } from '../../core/random.js';
import type { Spec } from '../../spec/schema.js';
import type { ChaosControls } from '../control/types.js';
import type { RecoveryMatch } from '../measure/types.js';
import type { DatabaseRegistry } from '../postgres/databases.js';
import type { ChaosMeshObject, RenderContext } from '../render/types.js';
import type { LeaseKeeper } from '../run/lease-keeper.js';

/**
 * A chaos fault type (Toxiproxy's habit: one small file per type, one `register` line).
 * Injecting is split so that it is safe: `plan` resolves the targets and everything the
 * revert will need, with no side effect (what `--dry-run` shows and the journal keeps);
 * `inject` acts, holding a lease that `renew` extends while the controller lives; `revert`
 * undoes it from the journaled data alone (also from another process, `chaos stop`) and
 * is idempotent. A fault that lives in the mesh, fleet or TCP listeners is a lease there; a
 * fault on this machine (stress, disk, iptables) is a lease in the {@link LeaseKeeper}.
 */
export interface FaultContext {
  controls: ChaosControls;
  random: Random;
  keeper: LeaseKeeper;
  databases: DatabaseRegistry;
  /** The spec the experiment runs on (routes, which service calls which). */
  spec: Spec | undefined;
  stateDir: string;
  now(): number;
  /** Adds an event to the experiment's timeline (source `chaos`). */
  emit(kind: string, subject: string, data?: Record<string, unknown>): void;
}

/** One injection: its instance id and lease. */
export interface FaultInstance {
  /** `chaos-<run>-<n>`: the fault's id in the mesh, its toxic name, its journal key. */
  id: string;
  /** How long the step keeps it in force (0 for instant faults). */
  durationMs: number;
  /** Hard limit: gone this long after injection whatever happens. */
  ttlMs: number;
  /** Lease length: gone this long after the controller last renewed it. */
  leaseMs: number;
}

/** What `plan` found: the targets, and the data inject / renew / revert need (journaled). */
export interface PlannedFault {
  targets: string[];
  data: Record<string, unknown>;
  /** Nothing stays in force (a kill): recovery counts from the injection. */
  instant?: boolean;
  /** The events that show the targets healed (e.g. killed replicas ready again). */
  recovery?: RecoveryMatch;
}

export interface FaultType<P = Record<string, unknown>> {
  readonly type: string;
  /** One line for `--help`, plans and the README. */
  readonly summary: string;
  /** The type's own fields (besides `type` and `ttl`), as written in the spec. */
  readonly shape: z.ZodRawShape;
  /** Checks across fields, after the shape parsed (messages name the field). */
  refine?(params: P, ctx: z.RefinementCtx): void;
  plan(params: P, ctx: FaultContext, instance: FaultInstance): Promise<PlannedFault>;
  /** Injects with a lease ending at `leaseUntilMs` (ms since the epoch). */
  inject(
    data: Record<string, unknown>,
    ctx: FaultContext,
    instance: FaultInstance,
    leaseUntilMs: number,
  ): Promise<void>;
  /** Extends the lease to `leaseUntilMs`; false when the fault is already gone. */
  renew?(
    data: Record<string, unknown>,
    ctx: FaultContext,
    instance: FaultInstance,
    leaseUntilMs: number,
  ): Promise<boolean>;
  /** Undoes it; `gone` when there was nothing left to undo. Idempotent. */
  revert(data: Record<string, unknown>, ctx: FaultContext, id: string): Promise<'reverted' | 'gone'>;
  /** The Chaos Mesh object(s) for Kubernetes, if the fault has an equivalent there. */
  render?(params: P, r: RenderContext): ChaosMeshObject[];
}

/** Defines a fault type with its parameter type inferred from the shape. */
export function defineFault<S extends z.ZodRawShape>(
  f: Omit<FaultType<z.output<z.ZodObject<S>>>, 'shape'> & { shape: S },
): FaultType {
  return f as unknown as FaultType;
}

/** The remaining time of a lease, never below 1 ms (APIs take a TTL > 0). */
export function leaseTtl(leaseUntilMs: number, now: number): number {
  return Math.max(1, Math.round(leaseUntilMs - now));
}
