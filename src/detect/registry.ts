import { Registry } from '../core/registry.js';
import {
  defaultLikelihoodOptions,
  LikelihoodDetector,
  type LikelihoodDetectorOptions,
} from './anomaly-likelihood.js';
import { type Detector, type DetectorParams, type DetectorPlugin, resolveParams } from './detector.js';
import { nullPlugin, randomPlugin } from './detectors/baselines.js';
import { bocpdPlugin } from './detectors/bocpd.js';
import { cadPlugin } from './detectors/cad.js';
import { ensemblePlugin } from './detectors/ensemble.js';
import { ewmaPlugin } from './detectors/ewma.js';
import { holtWintersPlugin } from './detectors/holt-winters.js';
import { rangePlugin } from './detectors/range.js';
import { relativeEntropyPlugin } from './detectors/relative-entropy.js';
import { robustZScorePlugin } from './detectors/robust-zscore.js';
import { windowedGaussianPlugin } from './detectors/windowed-gaussian.js';

/** Every streaming detector by name; adding one is one file and one line here. */
export function detectorRegistry(): Registry<DetectorPlugin> {
  return new Registry<DetectorPlugin>('detector')
    .register('windowed-gaussian', windowedGaussianPlugin as DetectorPlugin)
    .register('robust-zscore', robustZScorePlugin as DetectorPlugin)
    .register('ewma', ewmaPlugin as DetectorPlugin)
    .register('holt-winters', holtWintersPlugin as DetectorPlugin)
    .register('relative-entropy', relativeEntropyPlugin as DetectorPlugin)
    .register('bocpd', bocpdPlugin as DetectorPlugin)
    .register('cad', cadPlugin as DetectorPlugin)
    .register('ensemble', ensemblePlugin as DetectorPlugin)
    .register('range', rangePlugin as DetectorPlugin)
    .register('null', nullPlugin as DetectorPlugin)
    .register('random', randomPlugin as DetectorPlugin);
}

/** What to build: a detector type, its parameters, and optionally the likelihood post-processor. */
export interface DetectorSpec {
  type: string;
  params?: Record<string, unknown>;
  /** Post-process raw scores into log anomaly likelihoods with the range check (true for the defaults). */
  likelihood?: boolean | Partial<LikelihoodDetectorOptions>;
}

/** Defaults of the likelihood post-processor as a detector option. */
export const likelihoodDefaults: LikelihoodDetectorOptions = {
  ...defaultLikelihoodOptions,
  spatialTolerance: 0.05,
};

/** Builds a fresh detector (one per series) from a spec; unknown types and parameters are usage errors. */
export function buildDetector(
  spec: DetectorSpec,
  registry: Registry<DetectorPlugin> = detectorRegistry(),
): Detector {
  const plugin = registry.get(spec.type);
  const params = resolveParams<DetectorParams>(spec.type, plugin.defaults, spec.params);
  const inner = plugin.create(params);
  if (!spec.likelihood) return inner;
  const given = spec.likelihood === true ? {} : spec.likelihood;
  const o = resolveParams(`${spec.type} likelihood`, likelihoodDefaults as unknown as DetectorParams, given);
  return new LikelihoodDetector(inner, o as unknown as LikelihoodDetectorOptions);
}
