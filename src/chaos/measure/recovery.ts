import type { RunEvent } from '../../core/event.js';
import type { Injection, ProbeRound } from './types.js';

/**
 * Time-to-detect and time-to-recover of one injection, from probe rounds and events — never
 * guessed (DESIGN.md). Pure.
 *
 * - Detected: the first failing probe round, or `alert.firing` event, at or after the
 *   injection (and before the next injection of the same fault starts over).
 * - Recovered: the first of `consecutive` healthy rounds in a row that starts at or after
 *   the recovery point. The recovery point is the revert for faults that stay until
 *   reverted, the injection for instant (self-healing) faults, and never earlier than the
 *   fault's recovery event (say, every killed replica ready again).
 * - MTTR is measured from the end of the fault (revert) or, for instant faults, from the
 *   injection, to that first healthy round.
 */
export interface RecoveryOptions {
  /** Healthy rounds in a row that count as recovered (default 3). */
  consecutive: number;
  /** Ignore rounds and events from this time on (the next injection, or the end). */
  untilMs?: number;
}

export interface InjectionOutcome {
  id: string;
  detectedAtMs: number | null;
  timeToDetectMs: number | null;
  /** When the effect ended as far as the events tell (recovery event), if it has one. */
  recoveryEventAtMs: number | null;
  recoveredAtMs: number | null;
  timeToRecoverMs: number | null;
}

const healthy = (r: ProbeRound) => r.results.every((x) => x.ok);

/** First failing round or firing alert at or after the injection. */
export function detectionTime(
  injection: Injection,
  rounds: readonly ProbeRound[],
  events: readonly RunEvent[],
  untilMs = Number.POSITIVE_INFINITY,
): number | null {
  const t0 = injection.injectedAtMs;
  const round = rounds.find((r) => r.t >= t0 && r.t < untilMs && !healthy(r));
  const alert = events.find((e) => e.kind === 'alert.firing' && e.t >= t0 && e.t < untilMs);
  const times = [round?.t, alert?.t].filter((t): t is number => t !== undefined);
  return times.length ? Math.min(...times) : null;
}

/** When every subject of the recovery match had its event after the injection; null if not all did. */
export function recoveryEventTime(injection: Injection, events: readonly RunEvent[]): number | null {
  const m = injection.recovery;
  if (!m || m.subjects.length === 0) return null;
  let latest = 0;
  for (const subject of m.subjects) {
    const e = events.find((x) => x.kind === m.kind && x.subject === subject && x.t >= injection.injectedAtMs);
    if (!e) return null;
    latest = Math.max(latest, e.t);
  }
  return latest;
}

export function injectionOutcome(
  injection: Injection,
  rounds: readonly ProbeRound[],
  events: readonly RunEvent[],
  options: RecoveryOptions,
): InjectionOutcome {
  const until = options.untilMs ?? Number.POSITIVE_INFINITY;
  const detectedAtMs = detectionTime(injection, rounds, events, until);
  const recoveryEventAtMs = recoveryEventTime(injection, events);
  const endOfFault = injection.instant ? injection.injectedAtMs : injection.revertedAtMs;
  let recoveredAtMs: number | null = null;
  if (endOfFault !== undefined && !(injection.recovery && recoveryEventAtMs === null)) {
    const from = Math.max(endOfFault, recoveryEventAtMs ?? 0);
    recoveredAtMs = firstHealthyRun(rounds, from, until, Math.max(1, options.consecutive));
  }
  return {
    id: injection.id,
    detectedAtMs,
    timeToDetectMs: detectedAtMs === null ? null : detectedAtMs - injection.injectedAtMs,
    recoveryEventAtMs,
    recoveredAtMs,
    timeToRecoverMs:
      recoveredAtMs === null || endOfFault === undefined ? null : Math.max(0, recoveredAtMs - endOfFault),
  };
}

/** Time of the first round of `n` healthy rounds in a row starting at or after `fromMs`. */
export function firstHealthyRun(
  rounds: readonly ProbeRound[],
  fromMs: number,
  untilMs: number,
  n: number,
): number | null {
  let runStart: number | null = null;
  let run = 0;
  for (const r of rounds) {
    if (r.t < fromMs || r.t >= untilMs) continue;
    if (healthy(r)) {
      if (run === 0) runStart = r.t;
      run++;
      if (run >= n) return runStart;
    } else {
      run = 0;
      runStart = null;
    }
  }
  return null;
}

/** MTTR over injections that recovered: mean and max; `unrecovered` counts the others. */
export function summarizeRecovery(outcomes: readonly InjectionOutcome[]): {
  count: number;
  unrecovered: number;
  meanMs: number | null;
  maxMs: number | null;
} {
  const times = outcomes.map((o) => o.timeToRecoverMs).filter((t): t is number => t !== null);
  return {
    count: outcomes.length,
    unrecovered: outcomes.length - times.length,
    meanMs: times.length ? Math.round(times.reduce((a, b) => a + b, 0) / times.length) : null,
    maxMs: times.length ? Math.max(...times) : null,
  };
}
