import { Registry } from '../../core/registry.js';
import { abortFault } from './abort.js';
import { bandwidthFault } from './bandwidth.js';
import { delayFault } from './delay.js';
import type { FaultType } from './types.js';

/** The built-in fault types; the spec schema and the admin API accept exactly these. */
export const builtinFaultTypes: readonly FaultType[] = [
  delayFault as FaultType,
  abortFault as FaultType,
  bandwidthFault as FaultType,
];

/** Fault types by name; a new one is one file and one line in {@link builtinFaultTypes}. */
export function faultTypeRegistry(types: readonly FaultType[] = builtinFaultTypes): Registry<FaultType> {
  const r = new Registry<FaultType>('fault type');
  for (const t of types) r.register(t.type, t);
  return r;
}
