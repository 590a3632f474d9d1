import type { z } from 'zod';
import type { FaultContext } from '../faults/types.js';

/**
 * An action of a method or a rollback (Chaos Toolkit's actions): something done once, not
 * held and reverted — promote a replica, scale a service, call an HTTP endpoint. One file
 * each, one `register` line. Its result is recorded on the timeline.
 */
export interface ActionType<P = Record<string, unknown>> {
  readonly type: string;
  readonly summary: string;
  readonly shape: z.ZodRawShape;
  run(params: P, ctx: FaultContext): Promise<Record<string, unknown>>;
}

export function defineAction<S extends z.ZodRawShape>(
  a: Omit<ActionType<z.output<z.ZodObject<S>>>, 'shape'> & { shape: S },
): ActionType {
  return a as unknown as ActionType;
}
