import { compileMatchers, type Labels, labelsKey, type Matcher } from './labels.js';

/**
 * An in-memory time-series store: the samples the watch loop scraped, queried or
 * computed (recording rules), kept for `retentionMs`. Enough for evaluating rules over
 * recent data; not a database (the Prometheus HTTP API is the source for history).
 */
export interface Sample {
  t: number;
  v: number;
}

export interface StoredSeries {
  labels: Labels;
  samples: Sample[];
}

export class MemorySeriesStore {
  private readonly series = new Map<string, StoredSeries>();
  private readonly byName = new Map<string, Set<StoredSeries>>();

  constructor(readonly retentionMs = 3 * 86_400_000 + 3_600_000) {}

  /** Appends a sample; out-of-order samples for a series are dropped, as in Prometheus. */
  append(labels: Labels, t: number, v: number): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, samples: [] };
      this.series.set(key, s);
      const name = labels.__name__ ?? '';
      let set = this.byName.get(name);
      if (!set) {
        set = new Set();
        this.byName.set(name, set);
      }
      set.add(s);
    }
    const last = s.samples[s.samples.length - 1];
    if (last && t <= last.t) return;
    s.samples.push({ t, v });
    // Trim in batches so appends stay O(1) amortised.
    const cutoff = t - this.retentionMs;
    if (s.samples.length > 64 && (s.samples[0] as Sample).t < cutoff) {
      let i = 0;
      while (i < s.samples.length && (s.samples[i] as Sample).t < cutoff) i++;
      s.samples.splice(0, i);
    }
  }

  /** Series matching the selector with their samples in `(startMs, endMs]`. */
  select(
    name: string | undefined,
    matchers: readonly Matcher[],
    startMs: number,
    endMs: number,
  ): StoredSeries[] {
    const test = compileMatchers(matchers);
    const pool =
      name !== undefined ? (this.byName.get(name) ?? new Set<StoredSeries>()) : this.series.values();
    const out: StoredSeries[] = [];
    for (const s of pool) {
      if (!test(s.labels)) continue;
      const samples = window(s.samples, startMs, endMs);
      if (samples.length > 0) out.push({ labels: s.labels, samples });
    }
    return out;
  }

  /** Every series (for status views and tests). */
  all(): StoredSeries[] {
    return [...this.series.values()];
  }
}

/** Samples with `start < t ≤ end` (binary search; samples are in time order). */
function window(samples: Sample[], start: number, end: number): Sample[] {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((samples[mid] as Sample).t <= start) lo = mid + 1;
    else hi = mid;
  }
  let j = lo;
  while (j < samples.length && (samples[j] as Sample).t <= end) j++;
  return samples.slice(lo, j);
}
