import { mean, median, sampleStd } from './descriptive.js';
import { type DispersionResult, dispersionCheck } from './dispersion.js';
import { hodgesLehmann } from './hodges-lehmann.js';
import { mannWhitneyU } from './mann-whitney.js';
import { holmAdjust } from './multiple-testing.js';
import { normalQuantile } from './special.js';

/**
 * The verdict on a metric of a candidate against its baseline, as pure functions of
 * per-window values and options — what `shakedown compare` decides for every metric, and
 * what a canary judge decides for every analysis interval.
 *
 * Kayenta's judge (Mann-Whitney U, Hodges-Lehmann shift with a 98 % interval), with three
 * changes: a regression also needs its effect to reach a tolerance (default 5 % of the
 * baseline median), so a significant 0.3 % shift on a quiet machine does not fail CI; a
 * significant growth of spread is flagged, where Kayenta passes it; and when several
 * metrics are judged together ({@link judgeMetrics}) significance is decided on
 * Holm-adjusted p-values, so the confidence holds for the whole family of metrics, not
 * for each one.
 *
 * Two steps, so callers can adjust for multiplicity in between: {@link measureMetric}
 * gathers the evidence, {@link classifyMetric} decides from it.
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
  /** Confidence of the intervals and of the decision, 0–1 (default 0.98, as Kayenta's judge). */
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
  /** Check spread too (default true; off for zero-inflated metrics such as error rates). */
  dispersion?: boolean;
  /**
   * Relative tolerances by the direction of the shift, overriding `tolerance` (a canary's
   * allowed increase and allowed decrease, Kayenta's effect sizes); fractions of the
   * baseline median.
   */
  tolerances?: { increase?: number; decrease?: number };
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

/** What the data says about one metric, before any decision. */
export interface MetricEvidence {
  /** `judged` when there is enough data; otherwise why not. */
  state: 'judged' | 'no-data' | 'too-few' | 'constant';
  note: string;
  badDirection: BadDirection;
  baseline: SampleStats;
  candidate: SampleStats;
  effect: Effect | null;
  /** Two-sided Mann-Whitney p-value; null when not tested. */
  pValue: number | null;
  dispersion: DispersionResult | null;
  confidence: number;
}

export interface MetricJudgement extends MetricEvidence {
  verdict: Verdict;
  /** One sentence for people. */
  reason: string;
  /** The p-value the decision used (Holm-adjusted in a family); null when not tested. */
  decisionPValue: number | null;
  /** Dispersion: the p-value the decision used, and whether spread growth was flagged. */
  dispersionDecisionPValue: number | null;
  dispersionFlagged: boolean;
}

function stats(xs: readonly number[]): SampleStats {
  return {
    n: xs.length,
    median: xs.length ? median(xs) : Number.NaN,
    mean: xs.length ? mean(xs) : Number.NaN,
  };
}

function meanDifference(baseline: readonly number[], candidate: readonly number[], confidence: number) {
  const d = mean(candidate) - mean(baseline);
  const vb = baseline.length > 1 ? sampleStd(baseline) ** 2 / baseline.length : 0;
  const vc = candidate.length > 1 ? sampleStd(candidate) ** 2 / candidate.length : 0;
  const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(vb + vc);
  return { estimate: d, lower: d - half, upper: d + half };
}

/** Gathers the evidence on one metric. Non-finite values are dropped first. */
export function measureMetric(
  baselineIn: readonly number[],
  candidateIn: readonly number[],
  spec: MetricSpec,
  options: Partial<JudgeOptions> = {},
): MetricEvidence {
  const o = { ...defaultJudgeOptions, ...options };
  const baseline = baselineIn.filter(Number.isFinite);
  const candidate = candidateIn.filter(Number.isFinite);
  const base = {
    badDirection: spec.badDirection,
    baseline: stats(baseline),
    candidate: stats(candidate),
    confidence: o.confidence,
    effect: null,
    pValue: null,
    dispersion: null,
  };
  if (baseline.length === 0 || candidate.length === 0) {
    const which =
      baseline.length === 0 && candidate.length === 0
        ? 'either run'
        : baseline.length
          ? 'the candidate'
          : 'the baseline';
    return { ...base, state: 'no-data', note: `no data in ${which}` };
  }
  if (baseline.length < o.minSamples || candidate.length < o.minSamples) {
    return {
      ...base,
      state: 'too-few',
      note: `too few values to judge (${baseline.length} and ${candidate.length}; at least ${o.minSamples} each)`,
    };
  }
  const first = baseline[0] as number;
  if (baseline.every((v) => v === first) && candidate.every((v) => v === first)) {
    return { ...base, state: 'constant', note: 'identical constant values', pValue: 1 };
  }
  const measure = spec.effect ?? 'hodges-lehmann';
  const ci =
    measure === 'hodges-lehmann'
      ? hodgesLehmann(baseline, candidate, o.confidence)
      : meanDifference(baseline, candidate, o.confidence);
  const scale = Math.abs(base.baseline.median);
  const relative =
    scale === 0
      ? ci.estimate === 0
        ? 0
        : Math.sign(ci.estimate) * Number.POSITIVE_INFINITY
      : ci.estimate / scale;
  const effect: Effect = {
    measure,
    estimate: ci.estimate,
    lower: ci.lower,
    upper: ci.upper,
    relative,
    threshold: Math.max(toleranceFor(spec, ci.estimate, o.tolerance) * scale, o.absoluteTolerance),
  };
  const dispersion =
    (spec.dispersion ?? true) && o.dispersionRatio > 0 ? dispersionCheck(baseline, candidate) : null;
  return {
    ...base,
    state: 'judged',
    note: '',
    effect,
    pValue: mannWhitneyU(candidate, baseline).pValue,
    dispersion,
  };
}

/** The relative tolerance that applies to a shift of this sign. */
function toleranceFor(spec: MetricSpec, estimate: number, fallback: number): number {
  const t = estimate >= 0 ? spec.tolerances?.increase : spec.tolerances?.decrease;
  return t ?? fallback;
}

/** Decides from evidence; `pValue` / `dispersionPValue` override the raw ones (multiplicity). */
export function classifyMetric(
  ev: MetricEvidence,
  options: Partial<JudgeOptions> = {},
  decision: { pValue?: number; dispersionPValue?: number } = {},
): MetricJudgement {
  const o = { ...defaultJudgeOptions, ...options };
  const none = { decisionPValue: null, dispersionDecisionPValue: null, dispersionFlagged: false };
  if (ev.state === 'no-data' || ev.state === 'too-few')
    return { ...ev, ...none, verdict: 'inconclusive', reason: ev.note };
  if (ev.state === 'constant' || !ev.effect || ev.pValue === null) {
    return { ...ev, ...none, decisionPValue: 1, verdict: 'pass', reason: ev.note };
  }
  const alpha = 1 - o.confidence;
  const p = decision.pValue ?? ev.pValue;
  const e = ev.effect;
  const significant = p < alpha;
  const large = e.estimate !== 0 && Math.abs(e.estimate) >= e.threshold;
  const up = e.estimate > 0;
  const bad = ev.badDirection === 'either' || (ev.badDirection === 'increase' ? up : !up);
  const dp = ev.dispersion ? (decision.dispersionPValue ?? ev.dispersion.pValue) : null;
  const flagged =
    ev.dispersion !== null &&
    dp !== null &&
    dp < alpha &&
    ev.dispersion.baselineMad > 0 &&
    ev.dispersion.ratio >= o.dispersionRatio;
  const adjusted = decision.pValue !== undefined && decision.pValue !== ev.pValue;
  const shown = `shift ${pct(e.relative)} (${fmt(e.lower)} … ${fmt(e.upper)} at ${trim(100 * ev.confidence)} %), p = ${fmtP(p)}${adjusted ? ' adjusted' : ''}`;
  const common = { ...ev, decisionPValue: p, dispersionDecisionPValue: dp, dispersionFlagged: flagged };
  if (significant && large) {
    return {
      ...common,
      verdict: bad ? 'regressed' : 'improved',
      reason: `${bad ? 'worse' : 'better'}: ${shown}`,
    };
  }
  if (flagged && ev.dispersion) {
    return {
      ...common,
      verdict: 'regressed',
      reason: `spread grew ×${ev.dispersion.ratio.toFixed(2)} (p = ${fmtP(dp as number)}${adjusted ? ' adjusted' : ''}); ${shown}`,
    };
  }
  return {
    ...common,
    verdict: 'pass',
    reason: `${significant ? 'change below the tolerance' : 'no significant change'}: ${shown}`,
  };
}

/** Judges one metric on its own (no multiplicity adjustment). */
export function judgeMetric(
  baseline: readonly number[],
  candidate: readonly number[],
  spec: MetricSpec,
  options: Partial<JudgeOptions> = {},
): MetricJudgement {
  return classifyMetric(measureMetric(baseline, candidate, spec, options), options);
}

export interface FamilyMember {
  baseline: readonly number[];
  candidate: readonly number[];
  spec: MetricSpec;
  /** Per-metric overrides, e.g. an absolute tolerance in the metric's unit. */
  options?: Partial<JudgeOptions>;
}

/**
 * Judges several metrics as one family: every location and dispersion test enters Holm's
 * adjustment, so the chance that a comparison of equal runs flags anything is at most
 * 1 − confidence.
 */
export function judgeMetrics(
  members: readonly FamilyMember[],
  options: Partial<JudgeOptions> = {},
): MetricJudgement[] {
  const evidence = members.map((m) =>
    measureMetric(m.baseline, m.candidate, m.spec, { ...options, ...m.options }),
  );
  const ps: number[] = [];
  const slots: Array<{ loc?: number; disp?: number }> = evidence.map((ev) => {
    const slot: { loc?: number; disp?: number } = {};
    if (ev.state === 'judged' && ev.pValue !== null) slot.loc = ps.push(ev.pValue) - 1;
    if (ev.state === 'judged' && ev.dispersion) slot.disp = ps.push(ev.dispersion.pValue) - 1;
    return slot;
  });
  const adj = holmAdjust(ps);
  return evidence.map((ev, i) => {
    const s = slots[i] as { loc?: number; disp?: number };
    const decision: { pValue?: number; dispersionPValue?: number } = {};
    if (s.loc !== undefined) decision.pValue = adj[s.loc] as number;
    if (s.disp !== undefined) decision.dispersionPValue = adj[s.disp] as number;
    return classifyMetric(ev, { ...options, ...members[i]?.options }, decision);
  });
}

/** The verdict of a set of metrics: any regression fails; nothing judged is inconclusive. */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('regressed')) return 'regressed';
  const judged = verdicts.filter((v) => v !== 'inconclusive');
  if (judged.length === 0) return 'inconclusive';
  if (judged.includes('improved')) return 'improved';
  return 'pass';
}

const pct = (x: number) =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %` : x > 0 ? '+∞ %' : '−∞ %';
const trim = (x: number) => Number(x.toFixed(2)).toString();

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 0.01 || a >= 1e6) ? x.toExponential(2) : x.toFixed(a < 1 ? 4 : 2);
}

function fmtP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
