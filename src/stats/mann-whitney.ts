import { averageRanks, tieTerm } from './rank.js';
import { normalTwoSidedP } from './special.js';

/**
 * The two-sided Mann-Whitney U test (Wilcoxon rank-sum), normal approximation with the
 * tie correction of the variance and a continuity correction — what SciPy's
 * `mannwhitneyu(method="asymptotic", use_continuity=True)` and R's
 * `wilcox.test(exact=FALSE, correct=TRUE)` compute. The approximation is good from about
 * five values per side, which is where a comparison of runs starts to mean anything.
 */
export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number;
  /** The standardised statistic, continuity-corrected; 0 when every value is tied. */
  z: number;
  /** Two-sided p-value. */
  pValue: number;
  n1: number;
  n2: number;
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: Number.NaN, z: Number.NaN, pValue: Number.NaN, n1, n2 };
  const { ranks, tieSizes } = averageRanks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i] as number;
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm(tieSizes) / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, pValue: 1, n1, n2 };
  const dev = u - mu;
  const z = (Math.sign(dev) * Math.max(0, Math.abs(dev) - 0.5)) / Math.sqrt(variance);
  return { u, z, pValue: normalTwoSidedP(z), n1, n2 };
}
