/**
 * The change-point metrics of the Turing Change Point Detection benchmark (van den Burg &
 * Williams 2020, TCPDBench `analysis/scripts/metrics.py`): F1 with a margin against several
 * annotators, and segmentation covering. Locations are 0-based; index 0 counts as a change
 * point of every annotation and of every prediction, as in the reference code.
 *
 * One detail differs by necessity: the reference's `true_positives` walks a Python `set` of
 * true locations in CPython's hash-table order and greedily takes the closest unused
 * prediction; this walks them in ascending order. The two give different counts only when
 * two true locations compete for the same single prediction within the margin.
 */

/** True locations matched by a prediction within `margin`, each prediction used once. */
export function truePositives(
  truth: Iterable<number>,
  predictions: Iterable<number>,
  margin = 5,
): Set<number> {
  const left = new Set(predictions);
  const tp = new Set<number>();
  for (const tau of [...new Set(truth)].sort((a, b) => a - b)) {
    let best: number | undefined;
    let bestDist = Number.POSITIVE_INFINITY;
    // Closest prediction; on equal distance Python's tuple sort picks the smaller location.
    for (const x of left) {
      const d = Math.abs(tau - x);
      if (d <= margin && (d < bestDist || (d === bestDist && x < (best as number)))) {
        best = x;
        bestDist = d;
      }
    }
    if (best === undefined) continue;
    tp.add(tau);
    left.delete(best);
  }
  return tp;
}

export interface FMeasure {
  f: number;
  precision: number;
  recall: number;
}

/**
 * F-measure against annotators (`alpha` 0.5 gives F1): precision against the union of all
 * annotations, recall averaged over annotators.
 */
export function fMeasure(
  annotations: Readonly<Record<string, readonly number[]>>,
  predictions: readonly number[],
  margin = 5,
  alpha = 0.5,
): FMeasure {
  const tks = Object.values(annotations).map((a) => new Set([...a, 0]));
  const x = new Set([...predictions, 0]);
  const tstar = new Set<number>();
  for (const tk of tks) for (const t of tk) tstar.add(t);
  const k = tks.length;
  const precision = truePositives(tstar, x, margin).size / x.size;
  let recall = 0;
  for (const tk of tks) recall += truePositives(tk, x, margin).size / tk.size;
  recall /= k;
  const denom = alpha * recall + (1 - alpha) * precision;
  return { f: denom === 0 ? 0 : (precision * recall) / denom, precision, recall };
}

/** The partition of [0, n) that the change points define, as [start, end) segments. */
export function partitionFromChangePoints(
  locations: readonly number[],
  nObs: number,
): Array<[number, number]> {
  const cps = [...new Set(locations)].filter((c) => c > 0 && c < nObs).sort((a, b) => a - b);
  const bounds = [0, ...cps, nObs];
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push([bounds[i] as number, bounds[i + 1] as number]);
  return out;
}

function jaccard(a: [number, number], b: [number, number]): number {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
  const union = a[1] - a[0] + (b[1] - b[0]) - inter;
  return union === 0 ? 0 : inter / union;
}

/** Covering of segmentation `s` by `sPrime` (Arbeláez et al. 2010, eq. 8). */
export function coverSingle(
  sPrime: ReadonlyArray<[number, number]>,
  s: ReadonlyArray<[number, number]>,
): number {
  let total = 0;
  for (const r of sPrime) total += r[1] - r[0];
  let c = 0;
  for (const r of s) {
    let best = 0;
    for (const rp of sPrime) best = Math.max(best, jaccard(r, rp));
    c += (r[1] - r[0]) * best;
  }
  return c / total;
}

/** Average covering of each annotator's segmentation by the predicted one. */
export function covering(
  annotations: Readonly<Record<string, readonly number[]>>,
  predictions: readonly number[],
  nObs: number,
): number {
  const px = partitionFromChangePoints(predictions, nObs);
  const cs = Object.values(annotations).map((a) => coverSingle(px, partitionFromChangePoints(a, nObs)));
  return cs.reduce((s, c) => s + c, 0) / cs.length;
}
