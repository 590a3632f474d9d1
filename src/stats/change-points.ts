import { PairDistances, type SplitCandidate } from './e-divisive.js';
import { type SplitStats, type SplitTTestOptions, splitTTest } from './t-test.js';

/**
 * Change-point detection over a history of results, as Hunter (Fleming et al., ICPE 2023,
 * "Hunter: Using Change Point Detection to Hunt for Performance Regressions") and its
 * successor Apache Otava do it:
 *
 * 1. Split: E-divisive means runs on overlapping windows of `windowLength` points (each
 *    window starts half a window after the previous one, or at its last change point);
 *    inside a window, the best candidate is kept while a Student's t-test between its two
 *    sides is significant at a relaxed p (10× `maxPValue` below 0.05). The union of the
 *    windows' points are the "weak" change points.
 * 2. Merge: bottom-up, the weakest point (highest p, or smallest relative change once every
 *    p passes) is removed until all remaining points have p < `maxPValue` and a change
 *    larger than `minMagnitude`; the stats of the neighbours are recomputed after each
 *    removal, against the segments between the remaining points.
 *
 * One deviation: after removing a point, Otava recomputes the point that took its place
 * and the one after it; the segments that changed are those of its left and right
 * neighbours, so those two are recomputed here.
 */
export interface ChangePointOptions {
  /** Points per E-divisive window (default 50). */
  windowLength?: number;
  /** Significance of a final change point (default 0.001). */
  maxPValue?: number;
  /** Smallest relative change of a final change point (default 0: any). */
  minMagnitude?: number;
  /** Correct the t-test for lag-1 autocorrelation of the residuals (default true). */
  autocorrelation?: boolean;
}

export interface ChangePoint extends SplitStats {
  /** Index of the first point after the change. */
  index: number;
  /** meanAfter / meanBefore − 1 (0 when the mean before is 0). */
  forwardChange: number;
  /** max(|forward|, |backward|) relative change, Otava's magnitude. */
  magnitude: number;
}

function relChange(a: number, b: number): number {
  return a === 0 ? 0 : b / a - 1;
}

function withStats(index: number, stats: SplitStats): ChangePoint {
  const pValue = Number.isNaN(stats.pValue) ? 1 : stats.pValue;
  const fwd = relChange(stats.meanBefore, stats.meanAfter);
  const bwd = relChange(stats.meanAfter, stats.meanBefore);
  return { ...stats, pValue, index, forwardChange: fwd, magnitude: Math.max(Math.abs(fwd), Math.abs(bwd)) };
}

/** Stats of a point that splits the segment [lo, hi) at `index`. */
function statsAt(
  series: readonly number[],
  lo: number,
  index: number,
  hi: number,
  test: SplitTTestOptions,
): ChangePoint {
  return withStats(index, splitTTest(series.slice(lo, index), series.slice(index, hi), test));
}

/** Recomputes every point's stats against its neighbours in the sorted list. */
function restat(
  series: readonly number[],
  indices: readonly number[],
  test: SplitTTestOptions,
): ChangePoint[] {
  return indices.map((idx, i) => {
    const lo = i === 0 ? 0 : (indices[i - 1] as number);
    const hi = i === indices.length - 1 ? series.length : (indices[i + 1] as number);
    return statsAt(series, lo, idx, hi, test);
  });
}

/** E-divisive with a t-test stopping rule inside series[start:end]; indices are absolute. */
export function eDivisiveTTest(
  series: readonly number[],
  start: number,
  end: number,
  maxPValue: number,
  test: SplitTTestOptions = {},
): number[] {
  const sub = series.slice(start, end);
  const dist = new PairDistances(sub);
  const points: number[] = [];
  // Each accepted point splits an interval, so there are at most sub.length − 1 rounds.
  for (let round = 0; round < sub.length; round++) {
    const bounds = [0, ...points, sub.length];
    let best: (SplitCandidate & { lo: number; hi: number }) | undefined;
    for (let i = 0; i + 1 < bounds.length; i++) {
      const lo = bounds[i] as number;
      const hi = bounds[i + 1] as number;
      const c = dist.bestSplit(lo, hi);
      if (c && (best === undefined || c.qhat > best.qhat)) best = { ...c, lo, hi };
    }
    if (!best) break;
    const s = splitTTest(sub.slice(best.lo, best.index), sub.slice(best.index, best.hi), test);
    if (!(s.pValue <= maxPValue)) break;
    points.push(best.index);
    points.sort((a, b) => a - b);
  }
  return points.map((p) => p + start);
}

/** The weak change points of the split step, with stats against their neighbours. */
export function splitStep(
  series: readonly number[],
  windowLength: number,
  maxPValue: number,
  test: SplitTTestOptions = {},
): ChangePoint[] {
  if (windowLength < 2) throw new RangeError('window length must be at least 2');
  const step = Math.floor(windowLength / 2);
  const found = new Set<number>();
  let start = 0;
  while (start < series.length) {
    const end = Math.min(start + windowLength, series.length);
    const pts = eDivisiveTTest(series, start, end, maxPValue, test);
    for (const p of pts) found.add(p);
    const last = pts.length ? (pts[pts.length - 1] as number) : 0;
    start = Math.max(last, start + step);
  }
  return restat(
    series,
    [...found].sort((a, b) => a - b),
    test,
  );
}

/** The merge step: drops weak points until every one left is significant and large enough. */
export function mergeStep(
  series: readonly number[],
  weak: readonly ChangePoint[],
  maxPValue: number,
  minMagnitude: number,
  test: SplitTTestOptions = {},
): ChangePoint[] {
  const cps = [...weak];
  while (cps.length > 0) {
    let weakest = 0;
    for (let i = 1; i < cps.length; i++)
      if ((cps[i] as ChangePoint).pValue > (cps[weakest] as ChangePoint).pValue) weakest = i;
    if ((cps[weakest] as ChangePoint).pValue < maxPValue) {
      weakest = 0;
      for (let i = 1; i < cps.length; i++)
        if ((cps[i] as ChangePoint).magnitude < (cps[weakest] as ChangePoint).magnitude) weakest = i;
      if ((cps[weakest] as ChangePoint).magnitude > minMagnitude) return cps;
    }
    cps.splice(weakest, 1);
    const bound = (i: number) =>
      i < 0 ? 0 : i >= cps.length ? series.length : (cps[i] as ChangePoint).index;
    for (const i of [weakest - 1, weakest]) {
      if (i < 0 || i >= cps.length) continue;
      cps[i] = statsAt(series, bound(i - 1), (cps[i] as ChangePoint).index, bound(i + 1), test);
    }
  }
  return cps;
}

/** Change points of `series` (Hunter / Otava defaults: window 50, p 0.001). */
export function detectChangePoints(
  series: readonly number[],
  options: ChangePointOptions = {},
): ChangePoint[] {
  const windowLength = options.windowLength ?? 50;
  const maxPValue = options.maxPValue ?? 0.001;
  const minMagnitude = options.minMagnitude ?? 0;
  const test = { autocorrelation: options.autocorrelation ?? true };
  if (series.length < 3) return [];
  const firstPass = maxPValue < 0.05 ? maxPValue * 10 : maxPValue < 0.5 ? maxPValue * 2 : maxPValue;
  return mergeStep(series, splitStep(series, windowLength, firstPass, test), maxPValue, minMagnitude, test);
}
