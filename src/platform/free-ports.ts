import type { LoadedSpec } from '../spec/load-spec.js';

/**
 * A copy of a spec whose mesh listeners and services take free ports (port 0) instead of
 * the fixed ones it names, so `shakedown demo` and tests can run beside anything already
 * listening. Callers point load at the listener addresses the platform reports.
 */
export function onFreePorts(loaded: LoadedSpec): LoadedSpec {
  const spec = structuredClone(loaded.spec);
  for (const l of spec.mesh?.listeners ?? []) l.port = 0;
  for (const s of Object.values(spec.services ?? {})) delete s.port;
  return { ...loaded, spec };
}
