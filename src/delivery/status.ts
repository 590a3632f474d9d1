import type { AnalysisPhase, AnalysisResult } from './analysis/model.js';
import type { HeaderRoute, Step } from './model.js';

/**
 * The state of a rollout as `rollout status`, the control API and the stored run show it.
 * `phase`: pending (not started), progressing (a step is running), paused (a pause step
 * without a duration, an inconclusive analysis, or blue-green waiting for manual
 * promotion: `rollout promote` continues), promoted (the new version takes all traffic; the
 * old one is scaled down after the delay), aborted (traffic is back on the stable version).
 */
export type RolloutPhase = 'pending' | 'progressing' | 'paused' | 'promoted' | 'aborted';

/** Times of the milestones, ms since the epoch (null until reached). */
export interface RolloutTimings {
  startedMs: number;
  canaryReadyMs: number | null;
  /** First time the new version got live traffic (weight > 0, or the blue-green switch). */
  firstTrafficMs: number | null;
  promotedMs: number | null;
  /** When the decision to abort was taken. */
  abortedMs: number | null;
  /** End of the measured period of the measurement that failed the analysis, if one did. */
  failedPeriodEndMs: number | null;
  /** When the weights were back on the stable version after an abort. */
  rolledBackMs: number | null;
  scaledDownMs: number | null;
  finishedMs: number | null;
}

export interface AnalysisSummary {
  step: number | 'background' | 'pre-promotion' | 'post-promotion';
  name: string;
  phase: AnalysisPhase;
  message: string;
  startMs: number;
  endMs: number | null;
}

export interface RolloutStatus {
  service: string;
  version: string;
  stableVersion: string;
  strategy: 'canary' | 'blueGreen';
  phase: RolloutPhase;
  /** Index of the current step (of `steps`), -1 before the first; steps.length once all ran. */
  step: number;
  steps: Step[];
  /** Weight of the new version, percent. */
  weight: number;
  headerRoute: HeaderRoute | null;
  mirror: number;
  /** Why it is paused, or why it was aborted. */
  message: string;
  abortReason: string | null;
  /** Who aborted: `analysis`, `user`, `watch`, `compare`, `deadline`, `error`. */
  abortedBy: string | null;
  analyses: AnalysisSummary[];
  timings: RolloutTimings;
  runId: string | null;
}

export function summarize(step: AnalysisSummary['step'], r: AnalysisResult): AnalysisSummary {
  return { step, name: r.name, phase: r.phase, message: r.message, startMs: r.startMs, endMs: r.endMs };
}

/** One line for people: `catalog v1 → v2: progressing, step 3/6, weight 20 %`. */
export function describeStatus(s: RolloutStatus): string {
  const where =
    s.phase === 'progressing' || s.phase === 'paused'
      ? `, step ${Math.min(s.step + 1, s.steps.length)}/${s.steps.length}, weight ${s.weight} %`
      : '';
  const why = s.message ? ` — ${s.message}` : '';
  return `${s.service} ${s.stableVersion} → ${s.version} (${s.strategy}): ${s.phase}${where}${why}`;
}

/** A step in a few words, for events and tables. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'setWeight':
      return `setWeight ${step.weight}`;
    case 'pause':
      return step.durationMs === null ? 'pause (until promoted)' : `pause ${step.durationMs / 1000} s`;
    case 'analysis':
      return `analysis ${step.analysis.name} (${step.analysis.metrics.map((m) => m.name).join(', ')})`;
    case 'setHeaderRoute':
      return step.match
        ? `setHeaderRoute ${step.match.header ?? `cookie ${step.match.cookie}`}${step.match.equals !== undefined ? `=${step.match.equals}` : step.match.matches !== undefined ? `~${step.match.matches}` : ' present'}`
        : 'setHeaderRoute off';
    case 'setMirror':
      return step.fraction > 0 ? `setMirror ${Math.round(step.fraction * 1000) / 10} %` : 'setMirror off';
  }
}
