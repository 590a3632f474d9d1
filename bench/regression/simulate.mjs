// Synthetic runs for the regression evaluation: per-second windows of a realistic latency
// distribution — a log-normal body (median 20 ms, σ 0.35) plus a heavy Pareto tail (2 % of
// requests, from 60 ms, α 1.5, capped at 10 s) — with Poisson-like request counts per second
// and rare errors. All randomness comes from one seeded Random, so the figures repeat.
import { recordUs } from '../../dist/core/histogram.js';
import { createWindow } from '../../dist/core/window.js';

export const distribution = {
  bodyMedianMs: 20,
  bodySigma: 0.35,
  tailShare: 0.02,
  tailFromMs: 60,
  tailAlpha: 1.5,
  tailCapMs: 10_000,
  requestsPerSecond: 200,
  errorRate: 0.002,
};

/** One latency draw in ms; `shiftMs` is added to every request (a pure location shift). */
export function drawLatencyMs(r, shiftMs = 0) {
  const d = distribution;
  const base =
    r.next() < d.tailShare
      ? Math.min(d.tailCapMs, d.tailFromMs / (1 - r.next()) ** (1 / d.tailAlpha))
      : d.bodyMedianMs * Math.exp(d.bodySigma * r.normal());
  return base + shiftMs;
}

/** A run of `seconds` one-second windows, as `compareRuns` takes it. */
export function simulateRun(r, { id, seconds = 60, shiftMs = 0, startMs = 1_700_000_000_000 }) {
  const d = distribution;
  const windows = [];
  for (let s = 0; s < seconds; s++) {
    const w = createWindow(startMs + s * 1000, 1000, { scenario: 'default', request: 'get' });
    const n = Math.max(1, Math.round(d.requestsPerSecond + Math.sqrt(d.requestsPerSecond) * r.normal()));
    for (let i = 0; i < n; i++) {
      recordUs(w.latencyUs, drawLatencyMs(r, shiftMs) * 1000);
      if (r.next() < d.errorRate) {
        w.counters.errors++;
        w.counters.failures.status5xx++;
      }
    }
    w.counters.requests = n;
    w.counters.iterations = n;
    windows.push(w);
  }
  return { id, startMs, plannedDurationMs: seconds * 1000, windows };
}
