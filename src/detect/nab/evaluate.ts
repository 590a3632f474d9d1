import type { NabFile, NabProfile } from './corpus.js';
import { type FileSweep, sweepFile } from './sweep.js';
import { bestThreshold, scoreAtThreshold, scoresByThreshold, type ThresholdScore } from './threshold.js';

/**
 * Corpus scoring as NAB's runner does it (`optimize` → `score` → `normalize`): per
 * profile, one threshold for the whole corpus maximises the summed raw score; each file
 * is scored at it; the total is normalised to 0 for the null detector (which never
 * detects: every window missed) and 100 for a perfect one (every window detected at its
 * left edge, no false positive): `100·(raw − rawNull)/(rawPerfect − rawNull)`, where
 * `rawPerfect = windows · tpWeight` counts every labelled window, as NAB does.
 */

/** One file's outcome under one profile. */
export interface NabFileScore extends ThresholdScore {
  file: string;
}

/** A detector's result under one profile. */
export interface NabProfileResult {
  profile: string;
  threshold: number;
  raw: number;
  rawNull: number;
  rawPerfect: number;
  /** The normalised NAB score. */
  score: number;
  files: NabFileScore[];
}

/** Sweeps every file once; the result serves every profile. */
export function sweepCorpus(
  files: readonly NabFile[],
  scores: ReadonlyArray<ArrayLike<number>>,
): FileSweep[] {
  if (scores.length !== files.length)
    throw new Error(`${scores.length} score series for ${files.length} files`);
  return files.map((f, i) => sweepFile(f.name, f.timestampsMs, scores[i] as ArrayLike<number>, f.windows));
}

/** The raw score the null detector (a constant score) gets under `profile`. */
export function nullRawScore(files: readonly NabFile[], profile: NabProfile): number {
  const constant = files.map((f) => new Float64Array(f.values.length).fill(0.5));
  return bestThreshold(scoresByThreshold(sweepCorpus(files, constant), profile)).score;
}

/** Scores a detector's per-file anomaly scores under one profile. */
export function scoreProfile(
  files: readonly NabFile[],
  sweeps: readonly FileSweep[],
  profile: NabProfile,
  rawNull = nullRawScore(files, profile),
): NabProfileResult {
  const best = bestThreshold(scoresByThreshold(sweeps, profile));
  const perFile = sweeps.map((s) => ({ file: s.name, ...scoreAtThreshold(s, profile, best.threshold) }));
  const raw = perFile.reduce((a, r) => a + r.score, 0);
  const windows = files.reduce((a, f) => a + f.windows.length, 0);
  const rawPerfect = windows * profile.tpWeight;
  const score = rawPerfect === rawNull ? 0 : (100 * (raw - rawNull)) / (rawPerfect - rawNull);
  return {
    profile: profile.name,
    threshold: best.threshold,
    raw,
    rawNull,
    rawPerfect,
    score,
    files: perFile,
  };
}

/** Scores a detector's per-file anomaly scores under every profile. */
export function scoreCorpus(
  files: readonly NabFile[],
  scores: ReadonlyArray<ArrayLike<number>>,
  profiles: readonly NabProfile[],
): NabProfileResult[] {
  const sweeps = sweepCorpus(files, scores);
  return profiles.map((p) => scoreProfile(files, sweeps, p));
}
