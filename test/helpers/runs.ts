import { recordUs } from '../../src/core/histogram.js';
import type { Random } from '../../src/core/random.js';
import { createWindow, type Window, type WindowKey } from '../../src/core/window.js';
import type { RunData } from '../../src/regression/series.js';

/**
 * Synthetic runs for tests of the judge and the store: per-second windows per key with
 * latencies drawn around a median (log-normal), a request count and an error share.
 */
export interface SecondSpec {
  key?: WindowKey;
  requests?: number;
  medianMs?: number;
  sigma?: number;
  errorShare?: number;
}

export function syntheticWindows(
  r: Random,
  startMs: number,
  seconds: number,
  specs: SecondSpec[] | ((s: number) => SecondSpec[]),
): Window[] {
  const out: Window[] = [];
  for (let s = 0; s < seconds; s++) {
    for (const spec of typeof specs === 'function' ? specs(s) : specs) {
      const w = createWindow(startMs + s * 1000, 1000, spec.key ?? { scenario: 'default', request: 'get' });
      const n = spec.requests ?? 100;
      for (let i = 0; i < n; i++) {
        recordUs(w.latencyUs, (spec.medianMs ?? 20) * 1000 * Math.exp((spec.sigma ?? 0.2) * r.normal()));
        recordUs(w.serviceTimeUs, (spec.medianMs ?? 20) * 900);
        if (r.next() < (spec.errorShare ?? 0)) {
          w.counters.errors++;
          w.counters.failures.status5xx++;
        }
      }
      w.counters.requests = n;
      w.counters.iterations = n;
      out.push(w);
    }
  }
  return out;
}

export function syntheticRun(
  r: Random,
  id: string,
  seconds: number,
  specs: SecondSpec[] | ((s: number) => SecondSpec[]),
  startMs = 1_780_000_000_000,
): RunData {
  return {
    id,
    startMs,
    plannedDurationMs: seconds * 1000,
    windows: syntheticWindows(r, startMs, seconds, specs),
  };
}
