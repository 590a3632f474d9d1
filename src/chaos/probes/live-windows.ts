import { createHistogram, type Histogram } from '../../core/histogram.js';
import type { Window, WindowKey } from '../../core/window.js';

/**
 * The recent per-second Windows of the experiment's traffic, by source: `load` (what the
 * experiment's users saw) and `mesh` (per route × service × version, from the mesh). Live
 * probes read merged histograms and counters of the last seconds from here.
 */
export type WindowSource = 'load' | 'mesh';

export interface MergedWindows {
  latencyUs: Histogram;
  requests: number;
  errors: number;
  seconds: number;
}

const keepMs = 15 * 60_000;

export class LiveWindows {
  private readonly bySource: Record<WindowSource, Window[]> = { load: [], mesh: [] };

  add(source: WindowSource, windows: readonly Window[]): void {
    const list = this.bySource[source];
    list.push(...windows);
    const newest = Math.max(0, ...windows.map((w) => w.startMs));
    if (list.length > 0 && (list[0] as Window).startMs < newest - keepMs) {
      this.bySource[source] = list.filter((w) => w.startMs >= newest - keepMs);
    }
  }

  /** Every window of a source (for the report). */
  all(source: WindowSource): Window[] {
    return this.bySource[source];
  }

  /** Windows of a source whose start is in [fromMs, toMs) and whose key matches `filter`. */
  merged(source: WindowSource, filter: WindowKey, fromMs: number, toMs: number): MergedWindows {
    const out: MergedWindows = { latencyUs: createHistogram(), requests: 0, errors: 0, seconds: 0 };
    const starts = new Set<number>();
    for (const w of this.bySource[source]) {
      if (w.startMs < fromMs || w.startMs >= toMs || !matches(w.key, filter)) continue;
      out.latencyUs.add(w.latencyUs);
      out.requests += w.counters.requests;
      out.errors += w.counters.errors;
      starts.add(w.startMs);
    }
    out.seconds = starts.size;
    return out;
  }
}

function matches(key: WindowKey, filter: WindowKey): boolean {
  for (const k of Object.keys(filter) as Array<keyof WindowKey>) {
    if (filter[k] !== undefined && key[k] !== filter[k]) return false;
  }
  return true;
}
