import type { Window } from '../core/window.js';
import { type Buckets, bucketsOf, emptyBuckets, mergeBuckets } from '../stats/buckets.js';
import type { SecondOfGroup } from './metrics.js';

/**
 * From a run's stored windows to what the judge compares: per group (the whole run, each
 * scenario, each scenario's request) one entry per second of the run's timeline. Windows
 * of the same second merge exactly; a second in which a group completed nothing is still
 * there (throughput 0, no latency). Windows that start at or after the planned end are
 * the graceful-stop tail — a partial second of stragglers — and are left out.
 */
export interface RunData {
  id: string;
  /** Start of the run's first window (ms since the epoch). */
  startMs: number;
  /** Planned duration of the run, when known. */
  plannedDurationMs?: number | null;
  windows: readonly Window[];
}

export interface GroupKey {
  scenario?: string;
  request?: string;
}

/** "overall", "scenario browse", "browse / home". */
export function groupLabel(g: GroupKey): string {
  if (g.scenario === undefined) return 'overall';
  if (g.request === undefined) return `scenario ${g.scenario}`;
  return `${g.scenario} / ${g.request}`;
}

export function groupId(g: GroupKey): string {
  return `${g.scenario ?? ''}\u0001${g.request ?? ''}`;
}

interface Indexed {
  idx: number;
  w: Window;
  buckets: Buckets;
}

/** A run prepared for judging: windows indexed by second, histograms read once. */
export class PreparedRun {
  readonly seconds: number;
  private readonly items: Indexed[];

  /** `warmupMs`: windows that start earlier than this after the run start are left out. */
  constructor(
    readonly data: RunData,
    warmupMs = 0,
  ) {
    const plan = data.plannedDurationMs ?? null;
    this.items = [];
    let maxIdx = -1;
    for (const w of data.windows) {
      const offset = w.startMs - data.startMs;
      if (plan !== null && plan > 0 && offset >= plan) continue;
      if (offset < warmupMs) continue;
      const idx = Math.max(0, Math.round((offset - warmupMs) / (w.durationMs || 1000)));
      maxIdx = Math.max(maxIdx, idx);
      this.items.push({ idx, w, buckets: bucketsOf(w.latencyUs) });
    }
    this.seconds = maxIdx + 1;
  }

  /**
   * Every group with data: overall, then scenarios, then their requests, sorted. A group
   * with exactly the windows of its parent (the only scenario, a scenario's only request)
   * is left out: it would judge the same numbers twice.
   */
  groups(): GroupKey[] {
    const scenarios = new Map<string, Set<string>>();
    for (const { w } of this.items) {
      const s = w.key.scenario ?? 'default';
      let reqs = scenarios.get(s);
      if (!reqs) {
        reqs = new Set();
        scenarios.set(s, reqs);
      }
      if (w.key.request !== undefined) reqs.add(w.key.request);
    }
    const out: GroupKey[] = [{}];
    for (const s of [...scenarios.keys()].sort()) {
      if (scenarios.size > 1) out.push({ scenario: s });
      const reqs = [...(scenarios.get(s) as Set<string>)].sort();
      if (reqs.length > 1) for (const r of reqs) out.push({ scenario: s, request: r });
    }
    return this.items.length ? out : [];
  }

  /** One entry per second of the timeline for group `g`. */
  secondsOf(g: GroupKey): SecondOfGroup[] {
    const per: Array<{ lat: Buckets[]; requests: number; errors: number; durationMs: number }> = Array.from(
      { length: this.seconds },
      () => ({ lat: [], requests: 0, errors: 0, durationMs: 1000 }),
    );
    for (const { idx, w, buckets } of this.items) {
      if (g.scenario !== undefined && (w.key.scenario ?? 'default') !== g.scenario) continue;
      if (g.request !== undefined && w.key.request !== g.request) continue;
      const s = per[idx] as (typeof per)[number];
      if (buckets.total > 0) s.lat.push(buckets);
      s.requests += w.counters.requests;
      s.errors += w.counters.errors;
      s.durationMs = w.durationMs;
    }
    return per.map((s) => ({
      latency: s.lat.length ? mergeBuckets(s.lat) : emptyBuckets,
      requests: s.requests,
      errors: s.errors,
      durationMs: s.durationMs,
    }));
  }
}

/** All seconds of a group merged into one, for whole-run values (percentiles from the merge). */
export function mergeSeconds(seconds: readonly SecondOfGroup[]): SecondOfGroup {
  const lat = seconds.map((s) => s.latency).filter((b) => b.total > 0);
  return {
    latency: lat.length ? mergeBuckets(lat) : emptyBuckets,
    requests: seconds.reduce((n, s) => n + s.requests, 0),
    errors: seconds.reduce((n, s) => n + s.errors, 0),
    durationMs: seconds.reduce((n, s) => n + s.durationMs, 0),
  };
}
