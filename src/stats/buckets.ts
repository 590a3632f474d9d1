import type { Histogram } from '../core/histogram.js';

/**
 * A histogram as its non-empty buckets, for numerics that touch many histograms many
 * times (per-window percentiles, the bootstrap): reading a percentile from an
 * HdrHistogram walks its whole counts array, reading it from this walks only the buckets
 * in use. Percentiles follow HdrHistogram's `getValueAtPercentile` exactly (the highest
 * value equivalent to the bucket reached, count rounded up); the mean uses bucket
 * midpoints, as HdrHistogram's `mean` does.
 */
export interface Buckets {
  /** Highest value equivalent to each bucket, ascending. */
  highs: Float64Array;
  /** Median-equivalent value of each bucket (for means). */
  mids: Float64Array;
  counts: Float64Array;
  total: number;
}

interface HdrInternals {
  countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
}

function internals(h: Histogram): HdrInternals {
  const x = h as unknown as Partial<HdrInternals>;
  if (typeof x.getCountAtIndex !== 'function' || typeof x.countsArrayLength !== 'number') {
    throw new Error('bucketsOf needs a JavaScript HdrHistogram (createHistogram())');
  }
  return x as HdrInternals;
}

/** The non-empty buckets of `h`. */
export function bucketsOf(h: Histogram): Buckets {
  const hi = internals(h);
  const highs: number[] = [];
  const mids: number[] = [];
  const counts: number[] = [];
  let total = 0;
  const len = hi.countsArrayLength;
  for (let i = 0; i < len && total < h.totalCount; i++) {
    const c = hi.getCountAtIndex(i);
    if (c === 0) continue;
    const v = hi.valueFromIndex(i);
    highs.push(hi.highestEquivalentValue(v));
    mids.push(hi.medianEquivalentValue(v));
    counts.push(c);
    total += c;
  }
  return {
    highs: Float64Array.from(highs),
    mids: Float64Array.from(mids),
    counts: Float64Array.from(counts),
    total,
  };
}

/** The count HdrHistogram walks to for percentile `p` (0–100) of `total` values. */
export function countAtPercentile(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  // HdrHistogram subtracts one ulp before rounding up, so an exact product is not bumped.
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(1, Math.ceil(fp - ulp));
}

/** Percentile `p` (0–100) of `highs`/`counts`; NaN when empty. */
export function percentileOfCounts(
  highs: ArrayLike<number>,
  counts: ArrayLike<number>,
  total: number,
  p: number,
): number {
  if (total <= 0) return Number.NaN;
  const target = countAtPercentile(p, total);
  let acc = 0;
  for (let i = 0; i < counts.length; i++) {
    acc += counts[i] as number;
    if (acc >= target) return highs[i] as number;
  }
  return highs[highs.length - 1] as number;
}

/** Percentile `p` (0–100) of a bucket set. */
export function percentileOf(b: Buckets, p: number): number {
  return percentileOfCounts(b.highs, b.counts, b.total, p);
}

/** Mean of a bucket set (bucket midpoints); NaN when empty. */
export function meanOf(b: Buckets): number {
  if (b.total === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < b.counts.length; i++) s += (b.mids[i] as number) * (b.counts[i] as number);
  return s / b.total;
}

/** Merges bucket sets exactly (same histogram layout): counts of equal buckets add. */
export function mergeBuckets(list: readonly Buckets[]): Buckets {
  if (list.length === 1) return list[0] as Buckets;
  const by = new Map<number, { mid: number; count: number }>();
  let total = 0;
  for (const b of list) {
    for (let i = 0; i < b.counts.length; i++) {
      const hi = b.highs[i] as number;
      const have = by.get(hi);
      if (have) have.count += b.counts[i] as number;
      else by.set(hi, { mid: b.mids[i] as number, count: b.counts[i] as number });
    }
    total += b.total;
  }
  const keys = [...by.keys()].sort((a, b) => a - b);
  return {
    highs: Float64Array.from(keys),
    mids: Float64Array.from(keys, (k) => (by.get(k) as { mid: number }).mid),
    counts: Float64Array.from(keys, (k) => (by.get(k) as { count: number }).count),
    total,
  };
}

/** An empty bucket set. */
export const emptyBuckets: Buckets = {
  highs: new Float64Array(0),
  mids: new Float64Array(0),
  counts: new Float64Array(0),
  total: 0,
};
