import { clampScore, type Detector, type DetectorPlugin, zToScore } from '../detector.js';

/**
 * Robust z-score: distance from the median of a sliding window in units of its median
 * absolute deviation (scaled by 1.4826 to estimate σ for normal data), so a burst of
 * outliers does not inflate the yardstick as it does for the windowed Gaussian.
 * The window is kept sorted (insertion by binary search), the MAD found by selection.
 */
export interface RobustZScoreParams extends Record<string, number> {
  window: number;
  minSamples: number;
  /** Floor of the MAD as a fraction of |median|, so flat series do not divide by zero. */
  madFloor: number;
}

export class RobustZScore implements Detector {
  private readonly fifo: Float64Array;
  private head = 0;
  private n = 0;
  private readonly sorted: number[] = [];
  private readonly scratch: Float64Array;

  constructor(private readonly p: RobustZScoreParams) {
    this.fifo = new Float64Array(p.window);
    this.scratch = new Float64Array(p.window);
  }

  update(_t: number, value: number): number {
    let score = 0;
    if (this.n >= this.p.minSamples) {
      const med = this.median();
      // When more than half the window is one value the MAD is 0; then the mean absolute
      // deviation stands in for it (1.2533·meanAD estimates σ for normal data), as in
      // the usual modified z-score.
      const mad = this.mad(med);
      const sigma = mad > 0 ? 1.4826 * mad : 1.2533 * this.meanAbsDeviation(med);
      score = zToScore((value - med) / Math.max(sigma, this.p.madFloor * Math.abs(med), 1e-12));
    }
    this.push(value);
    return clampScore(score);
  }

  private median(): number {
    const s = this.sorted;
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  }

  private mad(med: number): number {
    const k = this.sorted.length;
    for (let i = 0; i < k; i++) this.scratch[i] = Math.abs((this.sorted[i] as number) - med);
    return selectMedian(this.scratch, k);
  }

  private meanAbsDeviation(med: number): number {
    let s = 0;
    for (const v of this.sorted) s += Math.abs(v - med);
    return s / this.sorted.length;
  }

  private push(v: number): void {
    const cap = this.fifo.length;
    if (this.n === cap) {
      const old = this.fifo[this.head] as number;
      this.sorted.splice(lowerBound(this.sorted, old), 1);
      this.fifo[this.head] = v;
      this.head = (this.head + 1) % cap;
    } else {
      this.fifo[(this.head + this.n) % cap] = v;
      this.n++;
    }
    this.sorted.splice(lowerBound(this.sorted, v), 0, v);
  }
}

function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Median of the first `k` entries of `a` (reorders them; Hoare's selection). */
function selectMedian(a: Float64Array, k: number): number {
  const kth = (i: number): number => {
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const pivot = a[(lo + hi) >> 1] as number;
      let l = lo;
      let h = hi;
      while (l <= h) {
        while ((a[l] as number) < pivot) l++;
        while ((a[h] as number) > pivot) h--;
        if (l <= h) {
          const t = a[l] as number;
          a[l] = a[h] as number;
          a[h] = t;
          l++;
          h--;
        }
      }
      if (i <= h) hi = h;
      else if (i >= l) lo = l;
      else return a[i] as number;
    }
    return a[lo] as number;
  };
  const m = k >> 1;
  if (k % 2) return kth(m);
  const hi = kth(m);
  let lo = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) if ((a[i] as number) > lo) lo = a[i] as number;
  return (lo + hi) / 2;
}

export const robustZScorePlugin: DetectorPlugin<RobustZScoreParams> = {
  summary: 'distance from the sliding median in units of the median absolute deviation',
  defaults: { window: 288, minSamples: 30, madFloor: 0.001 },
  create: (p) => new RobustZScore(p),
};
