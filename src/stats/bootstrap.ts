import type { Random } from '../core/random.js';
import { type Buckets, percentileOfCounts } from './buckets.js';
import { quantileSorted } from './descriptive.js';

/**
 * Bootstrap confidence intervals for the difference of whole-run percentiles, computed
 * from the histograms. Windows are resampled with replacement (a block bootstrap with
 * one-second blocks), so correlation between the requests of one second is kept; each
 * resample merges its windows' histograms and reads the percentile from the merge, the
 * way percentiles are always read here (never averaged). The interval is the percentile
 * interval of the resampled differences.
 */
export interface BootstrapOptions {
  /** Percentiles to compare, 0–100. */
  percentiles: readonly number[];
  confidence?: number;
  /** Resamples (default 1000). */
  iterations?: number;
  random: Random;
}

export interface PercentileDifference {
  percentile: number;
  /** The percentile of all baseline windows merged. */
  baseline: number;
  candidate: number;
  /** candidate − baseline. */
  difference: number;
  /** Bounds of the difference at `confidence`. */
  lower: number;
  upper: number;
  confidence: number;
  iterations: number;
}

interface Sparse {
  idx: Int32Array;
  counts: Float64Array;
  total: number;
}

export function bootstrapPercentileDifferences(
  baseline: readonly Buckets[],
  candidate: readonly Buckets[],
  options: BootstrapOptions,
): PercentileDifference[] {
  const confidence = options.confidence ?? 0.98;
  const iterations = Math.max(1, Math.floor(options.iterations ?? 1000));
  const base = baseline.filter((b) => b.total > 0);
  const cand = candidate.filter((b) => b.total > 0);
  if (base.length === 0 || cand.length === 0) {
    return options.percentiles.map((p) => ({
      percentile: p,
      baseline: Number.NaN,
      candidate: Number.NaN,
      difference: Number.NaN,
      lower: Number.NaN,
      upper: Number.NaN,
      confidence,
      iterations: 0,
    }));
  }
  // One value grid for both runs, so merging is adding dense count vectors.
  const grid = [...new Set([...base, ...cand].flatMap((b) => [...b.highs]))].sort((a, b) => a - b);
  const at = new Map(grid.map((v, i) => [v, i]));
  const toSparse = (b: Buckets): Sparse => ({
    idx: Int32Array.from(b.highs, (v) => at.get(v) as number),
    counts: b.counts,
    total: b.total,
  });
  const sb = base.map(toSparse);
  const sc = cand.map(toSparse);
  const highs = Float64Array.from(grid);
  const dense = new Float64Array(grid.length);

  const percentilesOf = (windows: readonly Sparse[], pick: (i: number) => number): number[] => {
    dense.fill(0);
    let total = 0;
    for (let k = 0; k < windows.length; k++) {
      const w = windows[pick(k)] as Sparse;
      for (let j = 0; j < w.idx.length; j++) {
        const i = w.idx[j] as number;
        dense[i] = (dense[i] as number) + (w.counts[j] as number);
      }
      total += w.total;
    }
    return options.percentiles.map((p) => percentileOfCounts(highs, dense, total, p));
  };

  const pointBase = percentilesOf(sb, (k) => k);
  const pointCand = percentilesOf(sc, (k) => k);
  const diffs = options.percentiles.map(() => new Float64Array(iterations));
  const r = options.random;
  for (let it = 0; it < iterations; it++) {
    const pb = percentilesOf(sb, () => Math.floor(r.next() * sb.length));
    const pc = percentilesOf(sc, () => Math.floor(r.next() * sc.length));
    for (let q = 0; q < diffs.length; q++)
      (diffs[q] as Float64Array)[it] = (pc[q] as number) - (pb[q] as number);
  }
  const alpha = 1 - confidence;
  return options.percentiles.map((p, q) => {
    const d = (diffs[q] as Float64Array).sort();
    return {
      percentile: p,
      baseline: pointBase[q] as number,
      candidate: pointCand[q] as number,
      difference: (pointCand[q] as number) - (pointBase[q] as number),
      lower: quantileSorted(d, alpha / 2),
      upper: quantileSorted(d, 1 - alpha / 2),
      confidence,
      iterations,
    };
  });
}
