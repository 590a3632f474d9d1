/**
 * What to do when a replica's process has exited: restart it after a backoff, give up
 * because it is crash-looping, or leave it down (stopped on purpose, or the policy says
 * so). Pure: the Fleet feeds it the exit, how long the run stayed ready, and the count of
 * short runs before it.
 */

/** The restart settings of a service (the `restart:` block of the spec, in ms). */
export interface RestartPolicy {
  policy: 'always' | 'on-failure' | 'never';
  backoff: { initialMs: number; maxMs: number; factor: number };
  /** A run that stayed ready at least this long resets the count of short runs. */
  resetAfterMs: number;
  /** More consecutive short runs than this, and the replica is not restarted. */
  crashLoopLimit: number;
}

/** How a replica process ended. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** The Fleet asked it to stop (scale down, stop, rolling restart). */
  requested: boolean;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; shortRuns: number }
  | { action: 'crash-loop'; shortRuns: number }
  | { action: 'stay-down'; reason: 'stopped' | 'completed' | 'policy' };

/** True when the exit is a failure: a non-zero code or death by a signal. */
export function isFailure(exit: ExitInfo): boolean {
  return exit.signal !== null || (exit.code !== null && exit.code !== 0);
}

/**
 * The restart delay after `shortRuns` consecutive short runs (≥ 1): exponential from
 * `initialMs` by `factor`, capped at `maxMs`.
 */
export function restartDelayMs(shortRuns: number, backoff: RestartPolicy['backoff']): number {
  const exponent = Math.max(0, shortRuns - 1);
  // Capping the exponent keeps the power finite however long the loop ran.
  const delay = backoff.initialMs * backoff.factor ** Math.min(exponent, 64);
  return Math.min(backoff.maxMs, delay);
}

/**
 * Decides after an exit. `readyForMs` is how long this run was ready (0 if never);
 * `shortRunsBefore` is the count of consecutive short runs before this one.
 */
export function decideAfterExit(
  exit: ExitInfo,
  readyForMs: number,
  shortRunsBefore: number,
  policy: RestartPolicy,
): RestartDecision {
  if (exit.requested) return { action: 'stay-down', reason: 'stopped' };
  if (policy.policy === 'never') return { action: 'stay-down', reason: 'policy' };
  if (policy.policy === 'on-failure' && !isFailure(exit)) return { action: 'stay-down', reason: 'completed' };
  const shortRuns = readyForMs >= policy.resetAfterMs ? 1 : shortRunsBefore + 1;
  if (shortRuns > policy.crashLoopLimit) return { action: 'crash-loop', shortRuns };
  return { action: 'restart', delayMs: restartDelayMs(shortRuns, policy.backoff), shortRuns };
}
