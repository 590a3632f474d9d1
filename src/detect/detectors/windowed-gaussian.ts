import { clampScore, type Detector, type DetectorPlugin, zToScore } from '../detector.js';
import { RollingWindow } from '../rolling-window.js';

/**
 * Windowed Gaussian (NAB's `windowedGaussian` baseline, with a sliding rather than a
 * stepped window): the mean and standard deviation of the last `window` values, and the
 * score `1 − 2·Q(|z|)`, the two-sided confidence that the value is not from them.
 */
export interface WindowedGaussianParams extends Record<string, number> {
  /** Values kept. */
  window: number;
  /** Values seen before anything is scored. */
  minSamples: number;
}

export class WindowedGaussian implements Detector {
  private readonly w: RollingWindow;

  constructor(private readonly p: WindowedGaussianParams) {
    this.w = new RollingWindow(p.window);
  }

  update(_t: number, value: number): number {
    let score = 0;
    if (this.w.size >= this.p.minSamples) {
      const mean = this.w.mean();
      const sd = Math.sqrt(this.w.variance());
      score = sd > 0 ? zToScore((value - mean) / sd) : value === mean ? 0 : 1;
    }
    this.w.push(value);
    return clampScore(score);
  }
}

export const windowedGaussianPlugin: DetectorPlugin<WindowedGaussianParams> = {
  summary: 'z-score against the mean and deviation of a sliding window',
  defaults: { window: 2016, minSamples: 30 },
  create: (p) => new WindowedGaussian(p),
};
