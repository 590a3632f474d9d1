import { clampScore, type Detector, type DetectorPlugin, zToScore } from '../detector.js';

/**
 * Exponentially weighted moving average and variance (West's incremental form): the
 * score is `1 − 2·Q(|z|)` of the new value against the forecast `mean` with the
 * weighted standard deviation, both updated after scoring.
 */
export interface EwmaParams extends Record<string, number> {
  /** Weight of the newest value in the mean, (0, 1]. */
  alpha: number;
  /** Weight of the newest squared deviation in the variance, (0, 1]. */
  alphaVariance: number;
  minSamples: number;
}

export class Ewma implements Detector {
  private n = 0;
  private mean = 0;
  private variance = 0;

  constructor(private readonly p: EwmaParams) {
    if (!(p.alpha > 0 && p.alpha <= 1 && p.alphaVariance > 0 && p.alphaVariance <= 1)) {
      throw new Error('ewma: alpha and alphaVariance must be in (0, 1]');
    }
  }

  update(_t: number, value: number): number {
    let score = 0;
    if (this.n === 0) {
      this.mean = value;
    } else {
      const sd = Math.sqrt(this.variance);
      if (this.n >= this.p.minSamples) {
        score = sd > 0 ? zToScore((value - this.mean) / sd) : value === this.mean ? 0 : 1;
      }
      const d = value - this.mean;
      // Warm-up: plain averages until the weights take over, so the start is not biased.
      const a = Math.max(this.p.alpha, 1 / (this.n + 1));
      const av = Math.max(this.p.alphaVariance, 1 / (this.n + 1));
      this.mean += a * d;
      this.variance = (1 - av) * (this.variance + av * d * d);
    }
    this.n++;
    return clampScore(score);
  }
}

export const ewmaPlugin: DetectorPlugin<EwmaParams> = {
  summary: 'z-score against an exponentially weighted mean and variance',
  defaults: { alpha: 0.05, alphaVariance: 0.02, minSamples: 30 },
  create: (p) => new Ewma(p),
};
