import { buildDetector, type DetectorSpec, detectorRegistry } from '../registry.js';
import { loadNabCorpus, type NabCorpus } from './corpus.js';
import { nabDataDir } from './data-dir.js';
import { type NabProfileResult, scoreCorpus } from './evaluate.js';
import { runDetector } from './run-detector.js';

/**
 * `shakedown eval nab` as a library call: run a detector over every labelled series of a
 * NAB corpus (a fresh instance per series, one parameter set for all) and score it with
 * the NAB scorer under every profile.
 */

export interface NabEvaluation {
  detector: DetectorSpec;
  dataDir: string;
  files: number;
  rows: number;
  windows: number;
  /** One entry per profile, in the order of profiles.json (standard first in NAB's). */
  profiles: NabProfileResult[];
  elapsedMs: number;
}

/** Loads the corpus at `dataDir` (default: the shared data's `nab/`). */
export function loadCorpus(dataDir?: string, env: NodeJS.ProcessEnv = process.env): NabCorpus {
  return loadNabCorpus(nabDataDir(dataDir, env));
}

/** Evaluates one detector spec on a loaded corpus. `onFile` reports progress. */
export function evaluateNab(
  corpus: NabCorpus,
  spec: DetectorSpec,
  onFile?: (name: string, index: number, total: number) => void,
  now: () => number = Date.now,
): NabEvaluation {
  const registry = detectorRegistry();
  buildDetector(spec, registry); // validate the spec once before the long part
  const t0 = now();
  let index = 0;
  const scores = runDetector(corpus.files, () => {
    const f = corpus.files[index];
    onFile?.(f?.name ?? '', index++, corpus.files.length);
    return buildDetector(spec, registry);
  });
  const profiles = scoreCorpus(corpus.files, scores, corpus.profiles);
  return {
    detector: spec,
    dataDir: corpus.dir,
    files: corpus.files.length,
    rows: corpus.files.reduce((a, f) => a + f.values.length, 0),
    windows: corpus.files.reduce((a, f) => a + f.windows.length, 0),
    profiles,
    elapsedMs: now() - t0,
  };
}

/** The standard, low-FP and low-FN scores, by NAB's profile names. */
export function headlineScores(e: NabEvaluation): { standard: number; lowFp: number; lowFn: number } {
  const get = (name: string) => e.profiles.find((p) => p.profile === name)?.score ?? Number.NaN;
  return { standard: get('standard'), lowFp: get('reward_low_FP_rate'), lowFn: get('reward_low_FN_rate') };
}
