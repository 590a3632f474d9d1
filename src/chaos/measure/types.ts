/**
 * What an experiment observes, as plain data: probe rounds on the experiment's timeline,
 * and the injections of its faults. The measurement functions beside this file are pure
 * over these and the run's Windows and Events.
 */

/** Where in the experiment a moment falls. */
export type Phase = 'before' | 'during' | 'after';

/** One probe's answer in a round. `value` is null when there was nothing to measure. */
export interface ProbeResult {
  probe: string;
  ok: boolean;
  value: number | null;
  /** Why it failed, or what it saw, for people. */
  detail?: string;
}

/** Every probe of the hypothesis, checked at one moment. */
export interface ProbeRound {
  /** ms since the epoch. */
  t: number;
  phase: Phase;
  results: ProbeResult[];
}

/** How the end of a fault's effect shows on the timeline (e.g. the killed replica ready again). */
export interface RecoveryMatch {
  kind: string;
  /** Every one of these subjects must have had the event (after the injection). */
  subjects: string[];
}

/** One injection of a fault, as the runner saw it. */
export interface Injection {
  id: string;
  type: string;
  /** Instant faults (a kill) heal by themselves: recovery counts from the injection. */
  instant: boolean;
  targets: string[];
  injectedAtMs: number;
  /** When it was reverted (or its effect ended), if it was. */
  revertedAtMs?: number;
  recovery?: RecoveryMatch;
}

/** A window of the experiment's timeline, [startMs, endMs). */
export interface TimeRange {
  startMs: number;
  endMs: number;
}
