import { Registry } from '../../core/registry.js';
import { httpAction } from './http-call.js';
import { postgresFailoverAction } from './postgres-failover.js';
import { scaleAction } from './scale.js';
import type { ActionType } from './types.js';

export const builtinChaosActions: readonly ActionType[] = [postgresFailoverAction, scaleAction, httpAction];

/** Chaos actions by name; a new one is one file and one line above. */
export function chaosActionRegistry(
  types: readonly ActionType[] = builtinChaosActions,
): Registry<ActionType> {
  const r = new Registry<ActionType>('chaos action');
  for (const t of types) r.register(t.type, t);
  return r;
}
