/**
 * NAB's per-row sweep scores (numenta/NAB `nab/sweeper.py`, `calcSweepScore`), kept
 * independent of the cost profile so one pass over a file serves every profile.
 *
 * A row inside an anomaly window is worth `σ(y)·tpWeight/σ(−1)` if it is the earliest
 * detection of that window, with `y = −(windowEnd − i + 1)/windowWidth`; a row outside
 * windows costs `σ(d)·fpWeight` where `d` is its distance after the preceding window in
 * units of that window's width minus one (3, so σ = −1, when no window precedes it).
 * The first `min(floor(0.15·N), 0.15·5000)` rows are probationary and not scored.
 */

/** `2·sigmoid(−5x) − 1`, and −1 from 3 on (NAB's `scaledSigmoid`). */
export function scaledSigmoid(x: number): number {
  if (x >= 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

/** The largest true-positive value, at the left edge of a window: σ(−1). */
export const maxTruePositive = scaledSigmoid(-1.0);

/** Row marker: inside the probation period (not scored). */
export const PROBATION = -2;
/** Row marker: scored, outside every window. */
export const OUTSIDE = -1;

/** The NAB probation length of a file of `rows` rows. */
export function probationLength(rows: number, probationPercent = 0.15): number {
  return Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
}

/** A window as first and last timestamp (ms since the epoch), inclusive. */
export type WindowLimitsMs = readonly [startMs: number, endMs: number];

/** One file's rows ready for threshold sweeps. */
export interface FileSweep {
  /** Relative path, e.g. `realTraffic/speed_6005.csv`. */
  name: string;
  rows: number;
  anomaly: Float64Array;
  /** σ value of the row before profile weights: in a window `σ(y)`, outside `σ(d)`. */
  unweighted: Float64Array;
  /** Window index within the file, {@link OUTSIDE} or {@link PROBATION}. */
  window: Int32Array;
  /** Number of windows in the labels of this file (scored or not). */
  windowCount: number;
}

/**
 * Computes the sweep rows of one file. `timestampsMs` must be increasing and `windows`
 * sorted; a window's rows are those with a timestamp inside its limits.
 */
export function sweepFile(
  name: string,
  timestampsMs: ArrayLike<number>,
  anomalyScores: ArrayLike<number>,
  windows: readonly WindowLimitsMs[],
  probationPercent = 0.15,
): FileSweep {
  const n = timestampsMs.length;
  if (anomalyScores.length !== n) {
    throw new Error(`${name}: ${anomalyScores.length} anomaly scores for ${n} rows`);
  }
  const anomaly = new Float64Array(n);
  const unweighted = new Float64Array(n);
  const window = new Int32Array(n);
  const probation = probationLength(n, probationPercent);
  const spans = windows.map(([startMs, endMs]) => rowSpan(timestampsMs, startMs, endMs));

  let next = 0; // next window to enter
  let cur = -1; // window we are in
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const a = anomalyScores[i] as number;
    if (!Number.isFinite(a)) throw new Error(`${name}: anomaly score of row ${i} is not a number (${a})`);
    anomaly[i] = a;
    while (cur < 0 && next < spans.length && (spans[next] as RowSpan).first < i) next++;
    if (cur < 0 && next < spans.length && (spans[next] as RowSpan).first === i) cur = next++;
    if (cur >= 0) {
      const s = spans[cur] as RowSpan;
      const width = s.last - s.first + 1;
      unweighted[i] = scaledSigmoid(-(s.last - i + 1) / width);
    } else if (prevRight < 0) {
      unweighted[i] = scaledSigmoid(3.0);
    } else {
      // A one-row window would divide by zero in NAB; it is treated as far away.
      const d = prevWidth > 1 ? Math.abs(prevRight - i) / (prevWidth - 1) : 3.0;
      unweighted[i] = scaledSigmoid(d);
    }
    window[i] = i < probation ? PROBATION : cur >= 0 ? cur : OUTSIDE;
    if (cur >= 0 && (spans[cur] as RowSpan).last === i) {
      const s = spans[cur] as RowSpan;
      prevRight = i;
      prevWidth = s.last - s.first + 1;
      cur = -1;
    }
  }
  return { name, rows: n, anomaly, unweighted, window, windowCount: windows.length };
}

interface RowSpan {
  first: number;
  last: number;
}

/** First and last row inside `[startMs, endMs]` (binary search; rows are sorted). */
function rowSpan(ts: ArrayLike<number>, startMs: number, endMs: number): RowSpan {
  const first = lowerBound(ts, startMs);
  const last = lowerBound(ts, endMs + 0.5) - 1;
  if (first > last) return { first: -1, last: -2 };
  return { first, last };
}

function lowerBound(ts: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
