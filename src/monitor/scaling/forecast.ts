import {
  HoltWinters,
  type HoltWintersParams,
  holtWintersPlugin,
} from '../../detect/detectors/holt-winters.js';

/**
 * A seasonal forecast of a rate (Holt-Winters, additive), fed one observation per
 * interval. `peak(leadMs)` is the highest forecast over the next `leadMs`: what capacity
 * must be ready for, decided ahead of need.
 */
export class SeasonalForecaster {
  private readonly hw: HoltWinters;
  private stepMs = 0;
  private lastT = Number.NaN;

  constructor(params: Partial<HoltWintersParams> = {}) {
    this.hw = new HoltWinters({ ...holtWintersPlugin.defaults, minSamples: 0, ...params });
  }

  observe(t: number, value: number): void {
    if (!Number.isNaN(this.lastT)) {
      const d = t - this.lastT;
      // The sampling step, smoothed: intervals jitter in a live loop.
      this.stepMs = this.stepMs === 0 ? d : 0.9 * this.stepMs + 0.1 * d;
    }
    this.lastT = t;
    this.hw.update(t, value);
  }

  /** True once a full season has been seen and forecasts are available. */
  get ready(): boolean {
    return this.hw.state() !== undefined;
  }

  /** The forecast `h` steps ahead (NaN before ready). */
  forecast(h: number): number {
    return this.hw.forecast(h);
  }

  /** The highest forecast over the next `leadMs` (NaN before ready). */
  peak(leadMs: number): number {
    if (!this.ready || this.stepMs <= 0) return Number.NaN;
    const steps = Math.max(1, Math.ceil(leadMs / this.stepMs));
    let max = Number.NEGATIVE_INFINITY;
    for (let h = 1; h <= steps; h++) max = Math.max(max, this.hw.forecast(h));
    return max;
  }
}
