import type { Histogram } from '../../core/histogram.js';
import { failureClasses, keyId, type Window, type WindowKey, type WindowSink } from '../../core/window.js';
import type { MemorySeriesStore } from '../tsdb.js';

/**
 * Shakedown's own Windows (load, mesh, probes) as metric samples, so rules can use
 * them like any scraped metric: cumulative counters `shakedown_requests_total`,
 * `shakedown_request_errors_total` and `shakedown_request_failures_total{class}`, a
 * cumulative histogram `shakedown_request_duration_seconds_{bucket,sum,count}`, and per
 * window gauges `shakedown_latency_seconds{quantile="0.5"|"0.9"|"0.99"|"1"}` and
 * `shakedown_rps`. Window key fields become labels. Samples are stamped with the end of
 * the window.
 */
export const latencyBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Totals {
  requests: number;
  errors: number;
  failures: Record<string, number>;
  buckets: number[];
  sumSeconds: number;
  count: number;
}

export class WindowSeries implements WindowSink {
  private readonly totals = new Map<string, Totals>();

  constructor(
    private readonly store: MemorySeriesStore,
    private readonly baseLabels: Record<string, string> = {},
  ) {}

  write(windows: Window[]): void {
    for (const w of windows) this.writeOne(w);
  }

  private writeOne(w: Window): void {
    const t = w.startMs + w.durationMs;
    const labels = { ...this.baseLabels, ...keyLabels(w.key) };
    const id = keyId(w.key);
    let tot = this.totals.get(id);
    if (!tot) {
      tot = {
        requests: 0,
        errors: 0,
        failures: {},
        buckets: latencyBucketsSeconds.map(() => 0),
        sumSeconds: 0,
        count: 0,
      };
      this.totals.set(id, tot);
    }
    const c = w.counters;
    tot.requests += c.requests;
    tot.errors += c.errors;
    const put = (name: string, v: number, extra: Record<string, string> = {}) =>
      this.store.append({ ...labels, ...extra, __name__: name }, t, v);
    put('shakedown_requests_total', tot.requests);
    put('shakedown_request_errors_total', tot.errors);
    for (const cls of failureClasses) {
      tot.failures[cls] = (tot.failures[cls] ?? 0) + c.failures[cls];
      put('shakedown_request_failures_total', tot.failures[cls] as number, { class: cls });
    }
    put('shakedown_rps', c.requests / (w.durationMs / 1000));
    const h = w.latencyUs;
    const n = h.totalCount;
    latencyBucketsSeconds.forEach((le, i) => {
      tot.buckets[i] = (tot.buckets[i] as number) + countAtOrBelow(h, le * 1e6);
      put('shakedown_request_duration_seconds_bucket', tot.buckets[i] as number, { le: String(le) });
    });
    tot.count += n;
    tot.sumSeconds += n > 0 ? (h.mean * n) / 1e6 : 0;
    put('shakedown_request_duration_seconds_bucket', tot.count, { le: '+Inf' });
    put('shakedown_request_duration_seconds_sum', tot.sumSeconds);
    put('shakedown_request_duration_seconds_count', tot.count);
    if (n > 0) {
      for (const [q, p] of [
        ['0.5', 50],
        ['0.9', 90],
        ['0.99', 99],
        ['1', 100],
      ] as const) {
        put('shakedown_latency_seconds', h.getValueAtPercentile(p) / 1e6, { quantile: q });
      }
    }
  }
}

function keyLabels(k: WindowKey): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(k)) if (v !== undefined && v !== '') out[name] = v;
  return out;
}

/**
 * How many recorded values are ≤ `limit`, to the histogram's precision (3 significant
 * digits: a value in the same HDR bucket as the limit counts as below it). HdrHistogram
 * has no such query, so this searches the percentiles.
 */
export function countAtOrBelow(h: Histogram, bound: number): number {
  const limit = bound * 1.001;
  const total = h.totalCount;
  if (total === 0 || h.minNonZeroValue > limit) return 0;
  if (h.maxValue <= limit) return total;
  let lo = 0; // valueAt(lo) ≤ limit holds (count 0)
  let hi = total; // does not hold
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (h.getValueAtPercentile((mid / total) * 100) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}
