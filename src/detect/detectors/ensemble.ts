import { defaultLikelihoodOptions, LikelihoodDetector } from '../anomaly-likelihood.js';
import { clampScore, type Detector, type DetectorPlugin } from '../detector.js';
import { ewmaPlugin } from './ewma.js';
import { holtWintersPlugin } from './holt-winters.js';
import { RangeCheck } from './range.js';
import { windowedGaussianPlugin } from './windowed-gaussian.js';

/**
 * Combines member detectors fed the same stream: `max` (any member's alarm),
 * `mean` (a vote), or a weighted mean when weights are given.
 */
export class Ensemble implements Detector {
  constructor(
    private readonly members: readonly Detector[],
    private readonly combine: 'max' | 'mean' = 'max',
    private readonly weights?: readonly number[],
  ) {
    if (members.length === 0) throw new Error('an ensemble needs at least one member');
    if (weights && weights.length !== members.length) throw new Error('one weight per ensemble member');
  }

  update(t: number, value: number): number {
    let max = 0;
    let sum = 0;
    let wsum = 0;
    for (let i = 0; i < this.members.length; i++) {
      const s = (this.members[i] as Detector).update(t, value);
      const w = this.weights ? (this.weights[i] as number) : 1;
      if (s * w > max) max = s * w;
      sum += s * w;
      wsum += w;
    }
    return clampScore(this.combine === 'max' ? max : sum / wsum);
  }
}

/** Parameters of the default ensemble: those of the shared likelihood post-processor. */
export interface EnsembleParams extends Record<string, number> {
  learningPeriod: number;
  estimationSamples: number;
  /** HTM's spatial check (see {@link RangeCheck}); 0 disables it. */
  spatialTolerance: number;
}

/**
 * The default ensemble: the windowed Gaussian (level), Holt-Winters (season and trend)
 * and EWMA (recent level) detectors, each turned into a log anomaly likelihood, plus the
 * spatial range check; the score is the largest. Each member catches what the others
 * miss; the likelihood puts their scores on one scale.
 */
export const ensemblePlugin: DetectorPlugin<EnsembleParams> = {
  summary: 'max of the likelihoods of windowed Gaussian, Holt-Winters and EWMA, plus the range check',
  defaults: { learningPeriod: 150, estimationSamples: 50, spatialTolerance: 0.05 },
  create: (p) => {
    const lik = {
      ...defaultLikelihoodOptions,
      learningPeriod: p.learningPeriod,
      estimationSamples: p.estimationSamples,
      spatialTolerance: 0,
    };
    const members: Detector[] = [
      new LikelihoodDetector(windowedGaussianPlugin.create({ ...windowedGaussianPlugin.defaults }), lik),
      new LikelihoodDetector(holtWintersPlugin.create({ ...holtWintersPlugin.defaults }), lik),
      new LikelihoodDetector(ewmaPlugin.create({ ...ewmaPlugin.defaults }), lik),
    ];
    if (p.spatialTolerance > 0) {
      const minSamples = p.learningPeriod + p.estimationSamples;
      members.push(new RangeCheck({ tolerance: p.spatialTolerance, minSamples }));
    }
    return new Ensemble(members, 'max');
  },
};
