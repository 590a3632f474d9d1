import { mean, populationStd } from './descriptive.js';
import { studentTTwoSidedP } from './special.js';

/**
 * The two-sample Student's t-test the way Hunter / Apache Otava score a change point:
 * SciPy's `ttest_ind_from_stats` (pooled variance, two-sided) fed with NumPy's population
 * standard deviations. Fewer than three values in total give p = 1, and a split of two
 * constant segments gives p = 1 when they are equal and 0 when they differ.
 */
export interface SplitStats {
  meanBefore: number;
  meanAfter: number;
  stdBefore: number;
  stdAfter: number;
  pValue: number;
  tStatistic: number;
  degreesOfFreedom: number;
}

export interface SplitTTestOptions {
  /**
   * Deflate the sample sizes by the lag-1 autocorrelation ρ of the residuals around each
   * side's mean (n_eff = n(1 − ρ)/(1 + ρ), the AR(1) variance inflation), so a slowly
   * wandering series is not read as a string of changes. ρ ≤ 0 leaves the test unchanged.
   */
  autocorrelation?: boolean;
}

/** Pooled lag-1 autocorrelation of the residuals of two segments around their own means, in [0, 0.99]. */
export function residualAutocorrelation(left: readonly number[], right: readonly number[]): number {
  let num = 0;
  let den = 0;
  for (const side of [left, right]) {
    const m = mean(side);
    for (let i = 0; i < side.length; i++) {
      const e = (side[i] as number) - m;
      den += e * e;
      if (i > 0) num += e * ((side[i - 1] as number) - m);
    }
  }
  if (den === 0) return 0;
  return Math.min(0.99, Math.max(0, num / den));
}

export function splitTTest(
  left: readonly number[],
  right: readonly number[],
  options: SplitTTestOptions = {},
): SplitStats {
  if (left.length === 0 || right.length === 0) throw new RangeError('both sides of a split need values');
  const m1 = mean(left);
  const m2 = mean(right);
  const s1 = left.length >= 2 ? populationStd(left) : 0;
  const s2 = right.length >= 2 ? populationStd(right) : 0;
  const rho = options.autocorrelation ? residualAutocorrelation(left, right) : 0;
  const deflate = (1 - rho) / (1 + rho);
  const n1 = left.length;
  const n2 = right.length;
  // Effective sample sizes: equal to the counts when ρ = 0 (Hunter's test exactly).
  const e1 = Math.max(1, n1 * deflate);
  const e2 = Math.max(1, n2 * deflate);
  const df = n1 + n2 - 2 > 0 ? (rho > 0 ? Math.max(1, e1 + e2 - 2) : n1 + n2 - 2) : 0;
  let t = 0;
  let p = 1;
  if (df > 0) {
    const pooled = ((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2);
    const denom = Math.sqrt(pooled * (1 / e1 + 1 / e2));
    if (denom > 0) {
      t = (m1 - m2) / denom;
      p = studentTTwoSidedP(t, df);
    } else if (m1 !== m2) {
      t = m1 > m2 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      p = 0;
    }
  }
  return {
    meanBefore: m1,
    meanAfter: m2,
    stdBefore: s1,
    stdAfter: s2,
    pValue: p,
    tStatistic: t,
    degreesOfFreedom: df,
  };
}
