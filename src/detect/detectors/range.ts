import type { Detector, DetectorPlugin } from '../detector.js';

/**
 * The "spatial anomaly" check of NAB's HTM detector: a value beyond the range seen so
 * far by more than `tolerance` of that range scores 1, anything else 0. The range
 * includes every value seen before, so it never uses the future.
 */
export interface RangeParams extends Record<string, number> {
  tolerance: number;
  /** Values seen before the check may fire (while the range is still being learnt). */
  minSamples: number;
}

export class RangeCheck implements Detector {
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private n = 0;

  constructor(private readonly p: RangeParams) {}

  update(_t: number, value: number): number {
    let out = 0;
    if (this.n++ >= this.p.minSamples && this.max > this.min) {
      const tol = (this.max - this.min) * this.p.tolerance;
      if (value > this.max + tol || value < this.min - tol) out = 1;
    }
    if (value > this.max) this.max = value;
    if (value < this.min) this.min = value;
    return out;
  }
}

export const rangePlugin: DetectorPlugin<RangeParams> = {
  summary: 'a value beyond the range seen so far (± tolerance of it) scores 1 (HTM’s spatial check)',
  defaults: { tolerance: 0.05, minSamples: 0 },
  create: (p) => new RangeCheck(p),
};
