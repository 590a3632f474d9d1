import { median } from './descriptive.js';
import { mannWhitneyU } from './mann-whitney.js';

/**
 * A check for a change in spread, which a location test misses: Kayenta's judge passes a
 * metric whose median stays put while its variance doubles. Rank-based Brown-Forsythe: the
 * absolute deviations of each sample from its own median are compared with the two-sided
 * Mann-Whitney test, and the effect is the ratio of the median absolute deviations
 * (candidate over baseline). Robust to the heavy tails of latency, unlike an F test.
 */
export interface DispersionResult {
  /** MAD(candidate) / MAD(baseline); Infinity when only the baseline has no spread. */
  ratio: number;
  baselineMad: number;
  candidateMad: number;
  /** Two-sided p-value of "both spreads are equal". */
  pValue: number;
}

export function dispersionCheck(baseline: readonly number[], candidate: readonly number[]): DispersionResult {
  if (baseline.length === 0 || candidate.length === 0) {
    return { ratio: Number.NaN, baselineMad: Number.NaN, candidateMad: Number.NaN, pValue: Number.NaN };
  }
  const mb = median(baseline);
  const mc = median(candidate);
  const db = baseline.map((v) => Math.abs(v - mb));
  const dc = candidate.map((v) => Math.abs(v - mc));
  const baselineMad = median(db);
  const candidateMad = median(dc);
  const ratio =
    baselineMad === 0 ? (candidateMad === 0 ? 1 : Number.POSITIVE_INFINITY) : candidateMad / baselineMad;
  return { ratio, baselineMad, candidateMad, pValue: mannWhitneyU(dc, db).pValue };
}
