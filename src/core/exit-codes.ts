/**
 * The one table of process exit codes. The README documents the same table; a test keeps
 * the two in step. Codes follow k6 where k6 has one (99 for failed thresholds).
 */
export const ExitCode = {
  /** Everything ran and every check held. */
  ok: 0,
  /** A bug or an unexpected failure inside Shakedown. */
  internal: 1,
  /**
   * `compare` / `trend` found a regression. Shares 1 with `internal` on purpose: CI treats
   * any 1 as a failed check, which both are; the message tells them apart.
   */
  regression: 1,
  /**
   * `rollout start|retry|undo`: the new version was aborted and traffic is back on the
   * stable one. Also 1, for the same reason: a check failed, CI stops.
   */
  rolledBack: 1,
  /** Bad command-line usage or an invalid spec file. */
  usage: 2,
  /** The target could not be reached at all (every request failed to connect). */
  unreachable: 3,
  /** A run could not start: port in use, missing file, missing system binary. */
  environment: 4,
  /** One or more thresholds failed (k6's code). */
  thresholdsFailed: 99,
  /** Interrupted by the user (SIGINT / SIGTERM); the run is marked aborted. */
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];

/** Human descriptions, in the order printed by `shakedown --help` and the README. */
export const exitCodeDescriptions: ReadonlyArray<{
  code: ExitCodeValue;
  name: ExitCodeName;
  meaning: string;
}> = [
  { code: 0, name: 'ok', meaning: 'success; every threshold and check held' },
  { code: 1, name: 'internal', meaning: 'internal error (a bug); the message says where' },
  { code: 1, name: 'regression', meaning: 'compare / trend: a regression was found (the CI failure code)' },
  { code: 1, name: 'rolledBack', meaning: 'rollout: the new version was aborted and rolled back' },
  { code: 2, name: 'usage', meaning: 'usage error or invalid spec (file:line:col in the message)' },
  { code: 3, name: 'unreachable', meaning: 'the target could not be reached at all' },
  {
    code: 4,
    name: 'environment',
    meaning: 'the environment prevents the run (port in use, missing file or binary)',
  },
  { code: 99, name: 'thresholdsFailed', meaning: 'one or more thresholds failed' },
  { code: 130, name: 'interrupted', meaning: 'interrupted by SIGINT/SIGTERM; the run is marked aborted' },
];
