import { clampScore, type Detector, type DetectorPlugin, zToScore } from '../detector.js';

/**
 * Holt-Winters (additive level, trend and season) with Brutlag's confidence bands: a
 * seasonal exponentially smoothed deviation `d` tracks how far values usually fall from
 * the forecast at that point of the season, and the score is `zToScore(e/(1.25·d))`
 * (for normal errors the mean absolute deviation is about 0.8σ). The season length in
 * points is `seasonMs` over the sampling step, which is learnt from the first
 * timestamps; a season of fewer than 2 or more than `maxSeasonPoints` points falls back
 * to Holt's linear method. Nothing is scored during the first season.
 */
export interface HoltWintersParams extends Record<string, number> {
  alpha: number;
  beta: number;
  gamma: number;
  /** Smoothing of the Brutlag deviation. */
  gammaDeviation: number;
  seasonMs: number;
  maxSeasonPoints: number;
  /** Extra values after the first season before scoring. */
  minSamples: number;
}

/** The forecast state after each update; used for predictive scaling too. */
export interface HoltWintersState {
  level: number;
  trend: number;
  /** Seasonal offsets, index = position in season. */
  season: Float64Array;
  /** Index of the next point in the season. */
  phase: number;
  stepMs: number;
}

export class HoltWinters implements Detector {
  private readonly first: Array<{ t: number; v: number }> = [];
  private m = 0;
  private stepMs = 0;
  private level = 0;
  private trend = 0;
  private season = new Float64Array(0);
  private dev = new Float64Array(0);
  private phase = 0;
  private n = 0;
  private lastForecast = Number.NaN;

  constructor(private readonly p: HoltWintersParams) {}

  /** The forecast for the next point (NaN until initialised). */
  forecast(stepsAhead = 1): number {
    if (this.n === 0 || this.first.length > 0) return Number.NaN;
    const h = Math.max(1, Math.floor(stepsAhead));
    const s = this.m > 1 ? (this.season[(this.phase + h - 1) % this.m] as number) : 0;
    return this.level + h * this.trend + s;
  }

  state(): HoltWintersState | undefined {
    if (this.n === 0 || this.first.length > 0) return undefined;
    return {
      level: this.level,
      trend: this.trend,
      season: Float64Array.from(this.season),
      phase: this.phase,
      stepMs: this.stepMs,
    };
  }

  /** The forecast made before the latest value arrived. */
  previousForecast(): number {
    return this.lastForecast;
  }

  update(t: number, value: number): number {
    if (this.n === 0) return this.collect(t, value);
    const p = this.p;
    const m = this.m;
    const sPrev = m > 1 ? (this.season[this.phase] as number) : 0;
    const forecast = this.level + this.trend + sPrev;
    this.lastForecast = forecast;
    const err = value - forecast;
    const dPrev = m > 1 ? (this.dev[this.phase] as number) : (this.dev[0] as number);
    const floor = Math.max(1e-9 * Math.abs(this.level), 1e-12);
    const score = zToScore(err / (1.25 * Math.max(dPrev, floor)));

    const prevLevel = this.level;
    this.level = p.alpha * (value - sPrev) + (1 - p.alpha) * (this.level + this.trend);
    this.trend = p.beta * (this.level - prevLevel) + (1 - p.beta) * this.trend;
    if (m > 1) {
      this.season[this.phase] = p.gamma * (value - this.level) + (1 - p.gamma) * sPrev;
      this.dev[this.phase] = p.gammaDeviation * Math.abs(err) + (1 - p.gammaDeviation) * dPrev;
      this.phase = (this.phase + 1) % m;
    } else {
      this.dev[0] = p.gammaDeviation * Math.abs(err) + (1 - p.gammaDeviation) * dPrev;
    }
    this.n++;
    return this.n > p.minSamples ? clampScore(score) : 0;
  }

  /** Learns the step and the first season, then initialises level, season and deviations. */
  private collect(t: number, value: number): number {
    this.first.push({ t, v: value });
    if (this.m === 0 && this.first.length >= 11) {
      const deltas = this.first
        .slice(1)
        .map((x, i) => x.t - (this.first[i] as { t: number }).t)
        .sort((a, b) => a - b);
      this.stepMs = deltas[deltas.length >> 1] as number;
      const points = this.stepMs > 0 ? Math.round(this.p.seasonMs / this.stepMs) : 0;
      this.m = points >= 2 && points <= this.p.maxSeasonPoints ? points : 1;
    }
    const need = Math.max(11, this.m > 1 ? this.m : 11);
    if (this.m === 0 || this.first.length < need) return 0;
    const vs = this.first.map((x) => x.v);
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    let mad = 0;
    for (let i = 1; i < vs.length; i++) mad += Math.abs((vs[i] as number) - (vs[i - 1] as number));
    mad /= vs.length - 1;
    this.level = mean;
    this.trend = 0;
    const m = this.m;
    this.season = new Float64Array(m > 1 ? m : 0);
    this.dev = new Float64Array(Math.max(m, 1)).fill(mad);
    if (m > 1) {
      for (let i = 0; i < m; i++) this.season[i] = (vs[vs.length - m + i] as number) - mean;
    } else {
      this.level = vs[vs.length - 1] as number;
    }
    this.phase = 0;
    this.first.length = 0;
    this.n = 1;
    return 0;
  }
}

export const holtWintersPlugin: DetectorPlugin<HoltWintersParams> = {
  summary: 'additive Holt-Winters forecast with Brutlag seasonal deviation bands',
  defaults: {
    alpha: 0.1,
    beta: 0.001,
    gamma: 0.1,
    gammaDeviation: 0.1,
    seasonMs: 86_400_000,
    maxSeasonPoints: 2016,
    minSamples: 50,
  },
  create: (p) => new HoltWinters(p),
};
