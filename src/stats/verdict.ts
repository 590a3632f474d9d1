import { mean, median, sampleStd } from './descriptive.js';
import { type DispersionResult, dispersionCheck } from './dispersion.js';
import { hodgesLehmann } from './hodges-lehmann.js';
import { mannWhitneyU } from './mann-whitney.js';
import { normalQuantile } from './special.js';

/**
 * The verdict on one metric of a candidate against its baseline, as a pure function of
 * two samples (per-window values) and options — the decision `shakedown compare` makes
 * for every metric, and the one a canary judge makes for every analysis interval.
 *
 * Kayenta's judge, with three changes: significance is the two-sided Mann-Whitney U test
 * at `1 − confidence`; a regression also needs its effect to reach a tolerance (default
 * 5 % of the baseline median), so a statistically significant 0.3 % shift on a quiet
 * machine does not fail CI; and a significant growth in spread (dispersion) is flagged,
 * where Kayenta passes it.
 */
export type Verdict = 'pass' | 'regressed' | 'improved' | 'inconclusive';

/** Which change is bad: latency and error rate `increase`, throughput `decrease`. */
export type BadDirection = 'increase' | 'decrease' | 'either';

/** How the size of a change is measured. */
export type EffectMeasure =
  /** Hodges-Lehmann shift (median of pairwise differences) with its rank-based interval. */
  | 'hodges-lehmann'
  /** Difference of means with a normal interval; for zero-inflated values such as error rates. */
  | 'mean';

export interface JudgeOptions {
  /** Confidence of intervals and the test, 0–1 (default 0.98, as Kayenta's judge). */
  confidence: number;
  /** Smallest relative effect that counts, as a fraction of the baseline median (default 0.05). */
  tolerance: number;
  /** Smallest absolute effect that counts, in the metric's unit (default 0). */
  absoluteTolerance: number;
  /** Fewer values than this on either side gives `inconclusive` (default 5). */
  minSamples: number;
  /** Flag a significant growth of spread by at least this ratio of MADs; 0 turns it off (default 1.5). */
  dispersionRatio: number;
}

export const defaultJudgeOptions: JudgeOptions = {
  confidence: 0.98,
  tolerance: 0.05,
  absoluteTolerance: 0,
  minSamples: 5,
  dispersionRatio: 1.5,
};

export interface MetricSpec {
  badDirection: BadDirection;
  effect?: EffectMeasure;
}

export interface SampleStats {
  n: number;
  median: number;
  mean: number;
}

export interface Effect {
  measure: EffectMeasure;
  /** candidate − baseline, in the metric's unit. */
  estimate: number;
  lower: number;
  upper: number;
  /** estimate / |baseline median|; ±Infinity when the baseline median is 0. */
  relative: number;
  /** The effect needed to count: max(tolerance × |baseline median|, absoluteTolerance). */
  threshold: number;
}

export interface MetricJudgement {
  verdict: Verdict;
  /** One sentence for people. */
  reason: string;
  badDirection: BadDirection;
  baseline: SampleStats;
  candidate: SampleStats;
  effect: Effect | null;
  /** Two-sided Mann-Whitney p-value; null when not tested. */
  pValue: number | null;
  dispersion: (DispersionResult & { flagged: boolean }) | null;
  confidence: number;
}

function stats(xs: readonly number[]): SampleStats {
  return { n: xs.length, median: xs.length ? median(xs) : Number.NaN, mean: xs.length ? mean(xs) : Number.NaN };
}

function meanDifference(baseline: readonly number[], candidate: readonly number[], confidence: number) {
  const d = mean(candidate) - mean(baseline);
  const vb = baseline.length > 1 ? sampleStd(baseline) ** 2 / baseline.length : 0;
  const vc = candidate.length > 1 ? sampleStd(candidate) ** 2 / candidate.length : 0;
  const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(vb + vc);
  return { estimate: d, lower: d - half, upper: d + half };
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;

/** Judges one metric. Values must be finite; NaN values are dropped first. */
export function judgeMetric(
  baselineIn: readonly number[],
  candidateIn: readonly number[],
  spec: MetricSpec,
  options: Partial<JudgeOptions> = {},
): MetricJudgement {
  const o = { ...defaultJudgeOptions, ...options };
  const baseline = baselineIn.filter(Number.isFinite);
  const candidate = candidateIn.filter(Number.isFinite);
  const base = {
    badDirection: spec.badDirection,
    baseline: stats(baseline),
    candidate: stats(candidate),
    confidence: o.confidence,
  };
  if (baseline.length === 0 || candidate.length === 0) {
    const which = baseline.length === 0 && candidate.length === 0 ? 'either run' : baseline.length ? 'the candidate' : 'the baseline';
    return { ...base, verdict: 'inconclusive', reason: `no data in ${which}`, effect: null, pValue: null, dispersion: null };
  }
  if (baseline.length < o.minSamples || candidate.length < o.minSamples) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `too few values to judge (${baseline.length} and ${candidate.length}; at least ${o.minSamples} each)`,
      effect: null,
      pValue: null,
      dispersion: null,
    };
  }
  const first = baseline[0] as number;
  if (baseline.every((v) => v === first) && candidate.every((v) => v === first)) {
    return { ...base, verdict: 'pass', reason: 'identical constant values', effect: null, pValue: 1, dispersion: null };
  }

  const measure = spec.effect ?? 'hodges-lehmann';
  const ci =
    measure === 'hodges-lehmann'
      ? hodgesLehmann(baseline, candidate, o.confidence)
      : meanDifference(baseline, candidate, o.confidence);
  const scale = Math.abs(base.baseline.median);
  const threshold = Math.max(o.tolerance * scale, o.absoluteTolerance);
  const relative = scale === 0 ? (ci.estimate === 0 ? 0 : Math.sign(ci.estimate) * Number.POSITIVE_INFINITY) : ci.estimate / scale;
  const effect: Effect = { measure, estimate: ci.estimate, lower: ci.lower, upper: ci.upper, relative, threshold };
  const pValue = mannWhitneyU(candidate, baseline).pValue;
  const alpha = 1 - o.confidence;
  const significant = pValue < alpha;
  const large = Math.abs(ci.estimate) >= threshold && ci.estimate !== 0;
  const up = ci.estimate > 0;
  const bad = spec.badDirection === 'either' || (spec.badDirection === 'increase' ? up : !up);

  const disp = o.dispersionRatio > 0 ? dispersionCheck(baseline, candidate) : null;
  const dispersion = disp
    ? { ...disp, flagged: disp.pValue < alpha && disp.ratio >= o.dispersionRatio }
    : null;

  const shown = `shift ${pct(relative)} (${fmt(ci.lower)} … ${fmt(ci.upper)} at ${(100 * o.confidence).toFixed(0)} %), p = ${fmtP(pValue)}`;
  if (significant && large) {
    return {
      ...base,
      verdict: bad ? 'regressed' : 'improved',
      reason: `${bad ? 'worse' : 'better'}: ${shown}`,
      effect,
      pValue,
      dispersion,
    };
  }
  if (dispersion?.flagged) {
    return {
      ...base,
      verdict: 'regressed',
      reason: `spread grew ×${dispersion.ratio === Number.POSITIVE_INFINITY ? '∞' : dispersion.ratio.toFixed(2)} (p = ${fmtP(dispersion.pValue)}) at an unchanged location`,
      effect,
      pValue,
      dispersion,
    };
  }
  const why = !significant ? 'no significant change' : 'change below the tolerance';
  return { ...base, verdict: 'pass', reason: `${why}: ${shown}`, effect, pValue, dispersion };
}

/** The verdict of a set of metrics: any regression fails; nothing judged is inconclusive. */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('regressed')) return 'regressed';
  const judged = verdicts.filter((v) => v !== 'inconclusive');
  if (judged.length === 0) return 'inconclusive';
  if (judged.includes('improved')) return 'improved';
  return 'pass';
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 0.01 || a >= 1e6) ? x.toExponential(2) : x.toFixed(a < 1 ? 4 : 2);
}

function fmtP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
