import { averageRanks, tieTerm } from './rank.js';
import { normalQuantile } from './special.js';

/**
 * The Hodges-Lehmann estimate of the shift between two samples and its confidence
 * interval, computed as R's `wilcox.test(conf.int = TRUE, exact = FALSE, correct = TRUE)`
 * does and as Kayenta's judge ports it (kayenta-mannwhitney): each bound is the shift `d`
 * at which the standardised rank-sum statistic of `(candidate − d)` against the baseline
 * crosses the normal quantile; the estimate is where it crosses zero. The statistic is a
 * non-increasing step function of `d`, so bisection finds each crossing (R uses uniroot
 * with tolerance 1e-4; we bisect to a tolerance relative to the data's range).
 */
export interface ShiftEstimate {
  /** Location shift of the candidate relative to the baseline (candidate − baseline). */
  estimate: number;
  lower: number;
  upper: number;
  confidence: number;
}

const MAX_BISECTIONS = 200;

export function hodgesLehmann(
  baseline: readonly number[],
  candidate: readonly number[],
  confidence = 0.98,
): ShiftEstimate {
  const x = candidate;
  const y = baseline;
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0 || !(confidence > 0 && confidence < 1)) {
    return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, confidence };
  }
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    xMin = Math.min(xMin, v);
    xMax = Math.max(xMax, v);
  }
  for (const v of y) {
    yMin = Math.min(yMin, v);
    yMax = Math.max(yMax, v);
  }
  const muMin = xMin - yMax;
  const muMax = xMax - yMin;
  const n = nx + ny;
  const combined = new Float64Array(n);
  for (let j = 0; j < ny; j++) combined[nx + j] = y[j] as number;

  const wdiff = (d: number, zq: number): number => {
    for (let i = 0; i < nx; i++) combined[i] = (x[i] as number) - d;
    const { ranks, tieSizes } = averageRanks(combined);
    let rx = 0;
    for (let i = 0; i < nx; i++) rx += ranks[i] as number;
    const dz = rx - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
    const correction = Math.sign(dz) * 0.5;
    const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm(tieSizes) / (n * (n - 1))));
    if (sigma === 0) return -zq;
    return (dz - correction) / sigma - zq;
  };

  const tol = Math.max(Math.abs(muMax - muMin), Math.abs(muMax), Math.abs(muMin), 1e-300) * 1e-9;
  const root = (zq: number): number => {
    const fLower = wdiff(muMin, zq);
    if (fLower <= 0) return muMin;
    const fUpper = wdiff(muMax, zq);
    if (fUpper >= 0) return muMax;
    let lo = muMin;
    let hi = muMax;
    for (let i = 0; i < MAX_BISECTIONS && hi - lo > tol; i++) {
      const mid = lo + (hi - lo) / 2;
      if (wdiff(mid, zq) > 0) lo = mid;
      else hi = mid;
    }
    return lo + (hi - lo) / 2;
  };

  // The statistic only jumps at pairwise differences x_i − y_j, so a crossing found by
  // bisection is one of them; snapping to it removes the bisection's last-digit noise.
  const diffs: number[] = [];
  for (const xi of x) for (const yj of y) diffs.push(xi - yj);
  diffs.sort((a, b) => a - b);
  const snap = (v: number): number => {
    let lo = 0;
    let hi = diffs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((diffs[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    let best = diffs[lo] as number;
    if (lo > 0 && Math.abs((diffs[lo - 1] as number) - v) < Math.abs(best - v))
      best = diffs[lo - 1] as number;
    return Math.abs(best - v) <= 4 * tol ? best : v;
  };
  const alpha = 1 - confidence;
  const zUpper = normalQuantile(1 - alpha / 2);
  return {
    estimate: snap(root(0)),
    lower: snap(root(zUpper)),
    upper: snap(root(-zUpper)),
    confidence,
  };
}
