import { type FileSweep, maxTruePositive, OUTSIDE, PROBATION } from './sweep.js';

/**
 * NAB's threshold sweep (numenta/NAB `nab/sweeper.py`, `calcScoreByThreshold`) and the
 * score of one file at a given threshold (`scoreDataSet`). A row is a detection when its
 * anomaly score is at least the threshold; in each window only the best (earliest)
 * detection counts, a window without one costs `−fnWeight`, and every detection outside
 * windows adds its (negative) sweep score.
 */

/** The weights of a NAB cost profile. */
export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** The outcome at one threshold: raw score and row counts (NAB's `ThresholdScore`). */
export interface ThresholdScore {
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
}

function weighted(unweighted: number, inWindow: boolean, cost: CostMatrix): number {
  return inWindow ? (unweighted * cost.tpWeight) / maxTruePositive : unweighted * cost.fpWeight;
}

/**
 * Scores every distinct threshold over the scorable rows of `files` (together, as NAB's
 * optimizer does for a corpus), from 1.1 (nothing detected) down to the lowest score.
 */
export function scoresByThreshold(files: readonly FileSweep[], cost: CostMatrix): ThresholdScore[] {
  let count = 0;
  for (const f of files) for (let i = 0; i < f.rows; i++) if ((f.window[i] as number) !== PROBATION) count++;
  const anomaly = new Float64Array(count);
  const sweep = new Float64Array(count);
  const windowOf = new Int32Array(count); // global window id or -1
  const windowBase: number[] = [];
  let k = 0;
  let base = 0;
  for (const f of files) {
    windowBase.push(base);
    for (let i = 0; i < f.rows; i++) {
      const w = f.window[i] as number;
      if (w === PROBATION) continue;
      anomaly[k] = f.anomaly[i] as number;
      sweep[k] = weighted(f.unweighted[i] as number, w !== OUTSIDE, cost);
      windowOf[k] = w === OUTSIDE ? -1 : base + w;
      k++;
    }
    base += f.windowCount;
  }
  // Window parts start at −fnWeight for every window that has a scorable row.
  const parts = new Float64Array(base);
  const scored = new Uint8Array(base);
  for (let j = 0; j < count; j++) {
    const w = windowOf[j] as number;
    if (w >= 0 && !scored[w]) {
      scored[w] = 1;
      parts[w] = -cost.fnWeight;
    }
  }
  let windowTotal = 0;
  for (let w = 0; w < base; w++) windowTotal += parts[w] as number;

  const order = Array.from({ length: count }, (_, j) => j);
  order.sort((x, y) => (anomaly[y] as number) - (anomaly[x] as number) || x - y);

  let tn = 0;
  let fn = 0;
  for (let j = 0; j < count; j++) {
    if ((windowOf[j] as number) < 0) tn++;
    else fn++;
  }
  let tp = 0;
  let fp = 0;
  let fpTotal = 0;
  let threshold = 1.1;
  const out: ThresholdScore[] = [];
  const push = () =>
    out.push({ threshold, score: fpTotal + windowTotal, tp, tn, fp, fn, total: tp + tn + fp + fn });
  for (const j of order) {
    const a = anomaly[j] as number;
    if (a !== threshold) {
      push();
      threshold = a;
    }
    const w = windowOf[j] as number;
    if (w >= 0) {
      tp++;
      fn--;
      const s = sweep[j] as number;
      if (s > (parts[w] as number)) {
        windowTotal += s - (parts[w] as number);
        parts[w] = s;
      }
    } else {
      fp++;
      tn--;
      fpTotal += sweep[j] as number;
    }
  }
  push();
  return out;
}

/** The threshold with the highest total score (the first one on ties, as NAB). */
export function bestThreshold(rows: readonly ThresholdScore[]): ThresholdScore {
  let best = rows[0] as ThresholdScore;
  for (const r of rows) if (r.score > best.score) best = r;
  return best;
}

/** The score of one file when rows with `anomaly ≥ threshold` are detections. */
export function scoreAtThreshold(f: FileSweep, cost: CostMatrix, threshold: number): ThresholdScore {
  const best = new Float64Array(f.windowCount).fill(Number.NaN);
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let fpTotal = 0;
  for (let i = 0; i < f.rows; i++) {
    const w = f.window[i] as number;
    if (w === PROBATION) continue;
    const detected = (f.anomaly[i] as number) >= threshold;
    if (w === OUTSIDE) {
      if (detected) {
        fp++;
        fpTotal += weighted(f.unweighted[i] as number, false, cost);
      } else tn++;
      continue;
    }
    if (Number.isNaN(best[w] as number)) best[w] = -cost.fnWeight;
    if (detected) {
      tp++;
      const s = weighted(f.unweighted[i] as number, true, cost);
      if (s > (best[w] as number)) best[w] = s;
    } else fn++;
  }
  let score = fpTotal;
  for (const b of best) if (!Number.isNaN(b)) score += b;
  return { threshold, score, tp, tn, fp, fn, total: f.rows };
}
