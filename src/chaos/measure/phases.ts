import { createHistogram, type LatencySummaryMs, summarizeMs } from '../../core/histogram.js';
import type { Window } from '../../core/window.js';
import type { TimeRange } from './types.js';

/**
 * Availability and latency of the experiment's traffic in a time range, from the load's
 * per-second Windows: histograms merged exactly, never averaged. Requests are recorded in
 * the window of the second they completed in; a window belongs to the range its midpoint
 * falls in — (start, end] — so each request counts once, and a second split by the start
 * or end of a fault goes to the phase that has most of it. Pure.
 */
export interface TrafficStats {
  requests: number;
  failed: number;
  /** Starts that found no VU (open models): work the system never got to do. */
  dropped: number;
  /** Successful / total requests; null without requests. */
  availability: number | null;
  latencyMs: LatencySummaryMs;
  /** Failures by class (connect, timeout, status5xx, …). */
  failures: Record<string, number>;
}

export function trafficIn(windows: readonly Window[], range: TimeRange): TrafficStats {
  const h = createHistogram();
  let requests = 0;
  let failed = 0;
  let dropped = 0;
  const failures: Record<string, number> = {};
  for (const w of windows) {
    const midMs = w.startMs + w.durationMs / 2;
    if (midMs <= range.startMs || midMs > range.endMs) continue;
    h.add(w.latencyUs);
    requests += w.counters.requests;
    failed += w.counters.errors;
    dropped += w.counters.droppedIterations;
    for (const [k, v] of Object.entries(w.counters.failures)) if (v > 0) failures[k] = (failures[k] ?? 0) + v;
  }
  return {
    requests,
    failed,
    dropped,
    availability: requests > 0 ? (requests - failed) / requests : null,
    latencyMs: summarizeMs(h),
    failures,
  };
}

/**
 * The fault window of an experiment: from the first injection to the end of the last
 * fault's effect (its revert, or the end of its step for instant faults); null if nothing
 * was injected.
 */
export function faultWindow(
  injections: ReadonlyArray<{ injectedAtMs: number; revertedAtMs?: number }>,
  methodEndMs: number,
): TimeRange | null {
  if (injections.length === 0) return null;
  const startMs = Math.min(...injections.map((i) => i.injectedAtMs));
  const endMs = Math.max(methodEndMs, ...injections.map((i) => i.revertedAtMs ?? 0));
  return { startMs, endMs: Math.max(endMs, startMs + 1) };
}
