/**
 * The probe state machine (Kubernetes semantics): a probe passes after
 * `successThreshold` consecutive successes and fails after `failureThreshold`
 * consecutive failures; only those crossings are transitions. {@link probeReaction} says
 * what a transition of the startup, readiness or liveness probe means for the replica.
 * Pure: the probe loop feeds results in and acts on what comes out.
 */

export interface ProbeThresholds {
  successThreshold: number;
  failureThreshold: number;
}

export interface ProbeCounters {
  /** Undefined until the first crossing of a threshold. */
  passing: boolean | undefined;
  successes: number;
  failures: number;
}

export type ProbeTransition = 'passed' | 'failed';
export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/** Counters of a probe that has not run yet. */
export function initialProbeCounters(): ProbeCounters {
  return { passing: undefined, successes: 0, failures: 0 };
}

/** Applies one probe result; returns the new counters and the transition, if any. */
export function recordProbe(
  counters: ProbeCounters,
  ok: boolean,
  thresholds: ProbeThresholds,
): { counters: ProbeCounters; transition: ProbeTransition | undefined } {
  const successes = ok ? counters.successes + 1 : 0;
  const failures = ok ? 0 : counters.failures + 1;
  let passing = counters.passing;
  let transition: ProbeTransition | undefined;
  if (ok && successes >= thresholds.successThreshold && passing !== true) {
    passing = true;
    transition = 'passed';
  } else if (!ok && failures >= thresholds.failureThreshold && passing !== false) {
    passing = false;
    transition = 'failed';
  }
  return { counters: { passing, successes, failures }, transition };
}

/**
 * What a probe transition means for the replica: `started` (the startup probe passed:
 * begin readiness and liveness), `ready` / `unready` (join / leave the mesh), `restart`
 * (the startup probe gave up or the liveness probe failed: kill and restart), `none`.
 */
export type ProbeReaction = 'started' | 'ready' | 'unready' | 'restart' | 'none';

export function probeReaction(kind: ProbeKind, transition: ProbeTransition): ProbeReaction {
  if (kind === 'startup') return transition === 'passed' ? 'started' : 'restart';
  if (kind === 'readiness') return transition === 'passed' ? 'ready' : 'unready';
  return transition === 'failed' ? 'restart' : 'none';
}
