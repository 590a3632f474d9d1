import type { Detector, DetectorPlugin } from '../detector.js';

/**
 * Relative entropy with multiple hypotheses (Wang et al., "Statistical techniques for
 * online anomaly detection in data centers", 2011), as NAB's `relativeEntropy`
 * detector: the last `window` values are quantised into `bins` bins and their histogram
 * is tested against every stored hypothesis with the statistic `2·W·KL(P̂‖P)`, accepted
 * below the χ² quantile of `1 − falseNegativeRate` with `bins − 1` degrees of freedom. A
 * histogram no hypothesis accepts becomes a new hypothesis and is anomalous (score 1), as
 * is one whose hypothesis has been seen at most `minOccurrences` times.
 *
 * NAB quantises with the file's minimum and maximum; here the range is that of the
 * values seen so far, so no value from the future is used.
 */
export interface RelativeEntropyParams extends Record<string, number> {
  window: number;
  bins: number;
  /** χ² threshold, NAB's `stats.chi2.isf(0.01, bins − 1)` (13.2767 for 5 bins). */
  chiSquareThreshold: number;
  minOccurrences: number;
}

export class RelativeEntropy implements Detector {
  private readonly buf: Float64Array;
  private head = 0;
  private n = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly hypotheses: Float64Array[] = [];
  private readonly counts: number[] = [];

  constructor(private readonly p: RelativeEntropyParams) {
    this.buf = new Float64Array(p.window);
  }

  update(_t: number, value: number): number {
    const cap = this.buf.length;
    this.buf[this.head] = value;
    this.head = (this.head + 1) % cap;
    if (this.n < cap) this.n++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.n < cap || !(this.max > this.min)) return 0;

    const bins = this.p.bins;
    const step = (this.max - this.min) / bins;
    const hist = new Float64Array(bins);
    for (let i = 0; i < cap; i++) {
      // NAB: ceil((v − min)/step) in 0…bins, histogram over [0, bins], last bin closed.
      const b = Math.ceil(((this.buf[i] as number) - this.min) / step);
      const idx = Math.min(bins - 1, Math.max(0, b));
      hist[idx] = (hist[idx] as number) + 1;
    }
    for (let i = 0; i < bins; i++) hist[i] = (hist[i] as number) / cap;

    if (this.hypotheses.length === 0) {
      this.hypotheses.push(hist);
      this.counts.push(1);
      return 0;
    }
    let best = -1;
    let bestStat = Number.POSITIVE_INFINITY;
    for (let h = 0; h < this.hypotheses.length; h++) {
      const stat = 2 * cap * kl(hist, this.hypotheses[h] as Float64Array);
      if (stat < this.p.chiSquareThreshold && stat < bestStat) {
        bestStat = stat;
        best = h;
      }
    }
    if (best < 0) {
      this.hypotheses.push(hist);
      this.counts.push(1);
      return 1;
    }
    this.counts[best] = (this.counts[best] as number) + 1;
    return (this.counts[best] as number) <= this.p.minOccurrences ? 1 : 0;
  }
}

/** Kullback-Leibler divergence as scipy's `entropy(p, q)`: ∞ where q = 0 < p. */
function kl(p: Float64Array, q: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as number;
    if (a === 0) continue;
    const b = q[i] as number;
    if (b === 0) return Number.POSITIVE_INFINITY;
    s += a * Math.log(a / b);
  }
  return s;
}

export const relativeEntropyPlugin: DetectorPlugin<RelativeEntropyParams> = {
  summary: 'histogram of a window tested against learnt hypotheses by relative entropy (NAB)',
  defaults: { window: 52, bins: 5, chiSquareThreshold: 13.276704135987622, minOccurrences: 1 },
  create: (p) => new RelativeEntropy(p),
};
