import type { Detector } from './detector.js';
import { RangeCheck } from './detectors/range.js';
import { erfc } from './normal.js';

/**
 * The anomaly-likelihood post-processor of Numenta's HTM detector (nupic
 * `anomaly_likelihood.py`, as NAB's `numenta` detector uses it): raw scores are
 * averaged over the last 10, a normal distribution is fitted to the averages of the
 * recent history (skipping the learning period, re-fitted every `reestimationPeriod`
 * records), and the tail probability of the current average is the likelihood, with
 * repeated "red" likelihoods damped to yellow. The reported score is its log scale,
 * `log(1.0000000001 − L)/log(1e-10)`, which spreads the 0.999… region over [0, 1].
 * Optionally (`spatialTolerance` > 0), a value beyond the range seen so far by more than
 * that fraction of it scores 1 at once, as NAB's HTM detector does.
 */

export interface AnomalyLikelihoodOptions {
  /** Records before the distribution is first estimated (scores 0.5 until then, with `estimationSamples`). */
  learningPeriod: number;
  /** Records used for the first estimate after the learning period. */
  estimationSamples: number;
  /** Records kept for re-estimation. */
  historicWindowSize: number;
  /** Re-estimate every this many records. */
  reestimationPeriod: number;
  /** Raw scores averaged before the tail probability. */
  averagingWindow: number;
}

/**
 * nupic's defaults are a learning period of 288 and 100 estimation samples; ours are
 * shorter (150 + 50) so that short series are scored sooner: NAB's probation for a
 * 1,243-row file ends at row 186 and its first window starts at row 218. (On the shared
 * NAB subset 288 + 100 scores about 8 points lower.)
 */
export const defaultLikelihoodOptions: AnomalyLikelihoodOptions = {
  learningPeriod: 150,
  estimationSamples: 50,
  historicWindowSize: 8640,
  reestimationPeriod: 100,
  averagingWindow: 10,
};

const RED = 1 - 0.99999;
const YELLOW = 1 - 0.999;

/** Q-function as nupic writes it (`0.5·erfc(z/1.4142)`), mirrored below the mean. */
function tail(x: number, mean: number, sd: number): number {
  const xp = x < mean ? 2 * mean - x : x;
  const z = (xp - mean) / sd;
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: nupic's own rounding of √2, kept for fidelity
  return 0.5 * erfc(z / 1.4142);
}

/** nupic's `computeLogLikelihood`. */
export function logLikelihood(likelihood: number): number {
  return Math.log(1.0000000001 - likelihood) / -23.02585084720009;
}

/** The likelihood estimator: feed raw scores, get `P(anomalous)` in [0, 1]. */
export class AnomalyLikelihood {
  private iteration = 0;
  private readonly values: Float64Array;
  private readonly scores: Float64Array;
  private histStart = 0;
  private histSize = 0;
  private dist: { mean: number; sd: number } | undefined;
  private avgWindow: number[] = [];
  private avgTotal = 0;
  private recentLikelihoods: number[] = [];
  private readonly probation: number;

  constructor(private readonly o: AnomalyLikelihoodOptions = defaultLikelihoodOptions) {
    if (o.historicWindowSize < o.estimationSamples)
      throw new Error('estimationSamples exceeds historicWindowSize');
    this.values = new Float64Array(o.historicWindowSize);
    this.scores = new Float64Array(o.historicWindowSize);
    this.probation = o.learningPeriod + o.estimationSamples;
  }

  /** The likelihood that the record with this raw score is anomalous. */
  probability(value: number, rawScore: number): number {
    let likelihood = 0.5;
    if (this.iteration >= this.probation) {
      if (this.dist === undefined || this.iteration % this.o.reestimationPeriod === 0) this.estimate();
      const d = this.dist as { mean: number; sd: number };
      const avg = this.movingAverage(rawScore);
      const lik = tail(avg, d.mean, d.sd);
      const prev = this.recentLikelihoods[this.recentLikelihoods.length - 1];
      const filtered = lik <= RED && prev !== undefined && prev <= RED ? YELLOW : lik;
      this.recentLikelihoods.push(lik);
      if (this.recentLikelihoods.length > this.o.averagingWindow) this.recentLikelihoods.shift();
      likelihood = 1 - filtered;
    }
    this.record(value, rawScore);
    this.iteration++;
    return likelihood;
  }

  private movingAverage(score: number): number {
    this.avgWindow.push(score);
    this.avgTotal += score;
    if (this.avgWindow.length > this.o.averagingWindow) this.avgTotal -= this.avgWindow.shift() as number;
    return this.avgTotal / this.avgWindow.length;
  }

  private record(value: number, score: number): void {
    const cap = this.values.length;
    const at = (this.histStart + this.histSize) % cap;
    this.values[at] = value;
    this.scores[at] = score;
    if (this.histSize < cap) this.histSize++;
    else this.histStart = (this.histStart + 1) % cap;
  }

  /** `estimateAnomalyLikelihoods` over the kept history. */
  private estimate(): void {
    const cap = this.values.length;
    const n = this.histSize;
    const shiftedOut = Math.max(0, this.iteration - cap);
    const skip = Math.min(this.iteration, Math.max(0, this.o.learningPeriod - shiftedOut));
    const w = this.o.averagingWindow;
    const window: number[] = [];
    let total = 0;
    const averaged = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.scores[(this.histStart + i) % cap] as number;
      window.push(s);
      total += s;
      if (window.length > w) total -= window.shift() as number;
      averaged[i] = total / window.length;
    }
    this.avgWindow = window;
    this.avgTotal = total;
    let dist = { mean: 0.5, sd: 1e3 }; // nupic's null distribution: everything is likely
    if (n > skip) {
      const m = n - skip;
      let mean = 0;
      for (let i = skip; i < n; i++) mean += averaged[i] as number;
      mean /= m;
      let v = 0;
      for (let i = skip; i < n; i++) v += ((averaged[i] as number) - mean) ** 2;
      v /= m;
      let vm = 0;
      let mm = 0;
      for (let i = skip; i < n; i++) mm += this.values[(this.histStart + i) % cap] as number;
      mm /= m;
      for (let i = skip; i < n; i++) vm += ((this.values[(this.histStart + i) % cap] as number) - mm) ** 2;
      vm /= m;
      // A flat metric is not anomalous (nupic's guard against unstable encodings).
      if (vm >= 1.5e-5) dist = { mean: Math.max(mean, 0.03), sd: Math.sqrt(Math.max(v, 0.0003)) };
    }
    this.dist = dist;
    this.recentLikelihoods = [];
    for (let i = Math.max(0, n - w); i < n; i++)
      this.recentLikelihoods.push(tail(averaged[i] as number, dist.mean, dist.sd));
  }
}

/** Options of {@link LikelihoodDetector}. */
export interface LikelihoodDetectorOptions extends AnomalyLikelihoodOptions {
  /** Beyond the range seen so far by this fraction of it → score 1 (0 disables). */
  spatialTolerance: number;
}

/** Wraps a detector: its raw scores become log-likelihoods (plus the spatial check). */
export class LikelihoodDetector implements Detector {
  private readonly likelihood: AnomalyLikelihood;
  private readonly range: RangeCheck | undefined;

  constructor(
    private readonly inner: Detector,
    o: LikelihoodDetectorOptions,
  ) {
    this.likelihood = new AnomalyLikelihood(o);
    // The range is still being learnt while the likelihood is: no spatial alarms then.
    const minSamples = o.learningPeriod + o.estimationSamples;
    this.range =
      o.spatialTolerance > 0 ? new RangeCheck({ tolerance: o.spatialTolerance, minSamples }) : undefined;
  }

  update(t: number, value: number): number {
    const raw = this.inner.update(t, value);
    const spatial = this.range ? this.range.update(t, value) : 0;
    const score = logLikelihood(this.likelihood.probability(value, raw));
    return spatial === 1 ? 1 : Math.min(1, Math.max(0, score));
  }
}
