import type { StageConfig } from './model.js';

/**
 * Piecewise-linear stages (k6 semantics): each stage moves linearly from the previous
 * target to its own over its duration. Pure functions of time in ms from scenario start.
 */

export function stagesDurationMs(stages: readonly StageConfig[]): number {
  let d = 0;
  for (const s of stages) d += s.durationMs;
  return d;
}

/** The target at `tMs`, starting from `start`. After the last stage, the last target. */
export function targetAt(start: number, stages: readonly StageConfig[], tMs: number): number {
  let from = start;
  let t0 = 0;
  for (const s of stages) {
    if (tMs < t0 + s.durationMs) {
      const f = s.durationMs === 0 ? 1 : (tMs - t0) / s.durationMs;
      return from + (s.target - from) * f;
    }
    t0 += s.durationMs;
    from = s.target;
  }
  return from;
}

/** The largest target reached, including the start. */
export function peakTarget(start: number, stages: readonly StageConfig[]): number {
  return stages.reduce((m, s) => Math.max(m, s.target), start);
}

/**
 * Inverse of the cumulative rate: the time at which `∫₀ᵗ rate = count`, with the rate in
 * starts per second moving linearly per stage. Returns `undefined` when `count` is not
 * reached before the stages end. `hint` lets a caller walking increasing counts resume
 * from the stage it reached last.
 */
export class RateIntegral {
  private readonly t0: number[] = [];
  private readonly cum0: number[] = [];
  private readonly r0: number[] = [];
  private readonly r1: number[] = [];
  private readonly d: number[] = [];
  readonly totalMs: number;
  readonly totalCount: number;
  private stage = 0;

  constructor(startRatePerSec: number, stages: readonly StageConfig[]) {
    let t = 0;
    let cum = 0;
    let from = startRatePerSec / 1000;
    for (const s of stages) {
      const to = s.target / 1000;
      if (s.durationMs <= 0) {
        from = to;
        continue;
      }
      this.t0.push(t);
      this.cum0.push(cum);
      this.r0.push(from);
      this.r1.push(to);
      this.d.push(s.durationMs);
      cum += ((from + to) / 2) * s.durationMs;
      t += s.durationMs;
      from = to;
    }
    this.totalMs = t;
    this.totalCount = cum;
  }

  /** Time in ms at which the cumulative count reaches `count` (non-decreasing calls are O(1) amortised). */
  timeOf(count: number): number | undefined {
    if (count >= this.totalCount) return undefined;
    if (this.stage >= this.t0.length || (this.cum0[this.stage] as number) > count) this.stage = 0;
    while (this.stage < this.t0.length - 1 && (this.cum0[this.stage + 1] as number) <= count) this.stage++;
    const i = this.stage;
    const r0 = this.r0[i] as number;
    const d = this.d[i] as number;
    const a = ((this.r1[i] as number) - r0) / (2 * d);
    const c = (this.cum0[i] as number) - count;
    let x: number;
    if (Math.abs(a) < 1e-15) x = -c / r0;
    else x = (-r0 + Math.sqrt(Math.max(0, r0 * r0 - 4 * a * c))) / (2 * a);
    return (this.t0[i] as number) + Math.min(Math.max(x, 0), d);
  }
}
