import { Registry } from '../../core/registry.js';
import { httpProbe } from './http.js';
import { metricProbe } from './metric.js';
import { sloProbe } from './slo.js';
import type { ProbeType } from './types.js';
import { writesProbe } from './writes.js';

export const builtinProbes: readonly ProbeType[] = [httpProbe, metricProbe, sloProbe, writesProbe];

/** Probe types by name; a new one is one file and one line above. */
export function probeRegistry(types: readonly ProbeType[] = builtinProbes): Registry<ProbeType> {
  const r = new Registry<ProbeType>('chaos probe');
  for (const t of types) r.register(t.type, t);
  return r;
}
