import type { z } from 'zod';
import type { Random } from '../../core/random.js';

/**
 * An L7 fault filter type (Envoy / Istio fault injection, Toxiproxy's habit: one small
 * file per type and one `register` line). A type declares its parameters as a zod shape
 * (merged into the `mesh.faults` spec schema and the admin API's payload) and adds its
 * effect for one request to a {@link FaultPlan}; the fault layer carries the plan out.
 */
export interface FaultPlan {
  /** Added before the request is forwarded. */
  delayMs: number;
  /** Answer this status instead of forwarding (0: forward). */
  abortStatus: number;
  /** Reset the downstream connection instead of forwarding. */
  reset: boolean;
  /** Limit the response body to this many bytes per second (0: no limit). */
  bytesPerSec: number;
}

export function emptyPlan(): FaultPlan {
  return { delayMs: 0, abortStatus: 0, reset: false, bytesPerSec: 0 };
}

export interface FaultType<P = Record<string, unknown>> {
  readonly type: string;
  /** One line for `--help` and the README. */
  readonly summary: string;
  /** The type's own fields, as written in the spec or the admin API payload. */
  readonly shape: z.ZodRawShape;
  /** Adds this fault's effect to the plan of one request it was rolled for. */
  apply(params: P, plan: FaultPlan, random: Random): void;
}
