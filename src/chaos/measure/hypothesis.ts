import type { Phase, ProbeResult, ProbeRound } from './types.js';

/**
 * The steady-state hypothesis verdict, Chaos Toolkit's made stricter. Pure.
 *
 * - before: the last round before the method must hold, or the system was not in a
 *   steady state and the method is not run (`not-steady`);
 * - during: every round must hold — a hypothesis that breaks while the fault is in force
 *   is `violated`, with the first failing probe and when;
 * - after: the hypothesis must be back by the end of the experiment (its last round holds).
 */
export type Verdict = 'held' | 'violated' | 'not-steady';

export interface Violation {
  probe: string;
  /** ms since the epoch. */
  t: number;
  phase: Phase;
  value: number | null;
  detail?: string;
}

export interface ProbeTally {
  name: string;
  rounds: number;
  failures: number;
  /** First failure, ms since the epoch. */
  firstFailureAt: number | null;
  lastValue: number | null;
}

export interface HypothesisResult {
  verdict: Verdict;
  firstViolation: Violation | null;
  probes: ProbeTally[];
  byPhase: Record<Phase, { rounds: number; failed: number }>;
}

const failing = (r: ProbeRound): ProbeResult | undefined => r.results.find((x) => !x.ok);

function violation(r: ProbeRound): Violation | null {
  const f = failing(r);
  if (!f) return null;
  return {
    probe: f.probe,
    t: r.t,
    phase: r.phase,
    value: f.value,
    ...(f.detail !== undefined ? { detail: f.detail } : {}),
  };
}

export function judgeHypothesis(rounds: readonly ProbeRound[]): HypothesisResult {
  const byPhase: HypothesisResult['byPhase'] = {
    before: { rounds: 0, failed: 0 },
    during: { rounds: 0, failed: 0 },
    after: { rounds: 0, failed: 0 },
  };
  const tallies = new Map<string, ProbeTally>();
  for (const r of rounds) {
    byPhase[r.phase].rounds++;
    if (failing(r)) byPhase[r.phase].failed++;
    for (const x of r.results) {
      let t = tallies.get(x.probe);
      if (!t) {
        t = { name: x.probe, rounds: 0, failures: 0, firstFailureAt: null, lastValue: null };
        tallies.set(x.probe, t);
      }
      t.rounds++;
      t.lastValue = x.value;
      if (!x.ok) {
        t.failures++;
        t.firstFailureAt ??= r.t;
      }
    }
  }
  const probes = [...tallies.values()];
  const before = rounds.filter((r) => r.phase === 'before');
  const lastBefore = before[before.length - 1];
  if (lastBefore && failing(lastBefore)) {
    return { verdict: 'not-steady', firstViolation: violation(lastBefore), probes, byPhase };
  }
  const firstDuring = rounds.find((r) => r.phase === 'during' && failing(r));
  if (firstDuring) return { verdict: 'violated', firstViolation: violation(firstDuring), probes, byPhase };
  const after = rounds.filter((r) => r.phase === 'after');
  const lastAfter = after[after.length - 1];
  if (lastAfter && failing(lastAfter)) {
    return { verdict: 'violated', firstViolation: violation(lastAfter), probes, byPhase };
  }
  return { verdict: 'held', firstViolation: null, probes, byPhase };
}
