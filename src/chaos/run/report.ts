import type { RunEvent } from '../../core/event.js';
import type { LatencySummaryMs } from '../../core/histogram.js';
import type { Window } from '../../core/window.js';
import { type HypothesisResult, judgeHypothesis } from '../measure/hypothesis.js';
import { faultWindow, type TrafficStats, trafficIn } from '../measure/phases.js';
import { type InjectionOutcome, injectionOutcome, summarizeRecovery } from '../measure/recovery.js';
import type { Injection, ProbeRound } from '../measure/types.js';
import type { WriteVerdict } from '../postgres/writer.js';

/**
 * The report of one experiment: built from what was observed — probe rounds, injections,
 * the events timeline and the load's Windows — by pure functions. It is the summary of the
 * stored run (kind `chaos`), the `--json` output, and what the console shows. Top-level
 * `requests`, `rps`, `errorRate` and `latencyMs` are there so `shakedown runs` lists it.
 */
export type ExperimentStatus = 'passed' | 'failed' | 'aborted';

export interface FaultOutcome extends InjectionOutcome {
  type: string;
  targets: string[];
  instant: boolean;
  injectedAt: number;
  revertedAt: number | null;
}

export interface ChaosReport {
  /** The stored run (kind chaos), when recorded. */
  runId?: string;
  experiment: string;
  status: ExperimentStatus;
  /** Why it ended early: `abort-condition`, `interrupted`, `error`, `not-steady`. */
  abortedBy: string | null;
  reason: string | null;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  hypothesis: HypothesisResult & {
    /** The first violation, ms after the experiment started. */
    firstViolationAfterMs: number | null;
  };
  /** From the first injection to the end of the last fault's effect. */
  faultWindow: { startMs: number; endMs: number } | null;
  availability: { before: number | null; during: number | null; after: number | null };
  /** Latency of the whole run (what `shakedown runs` lists). */
  latencyMs: LatencySummaryMs;
  /** Latency before, during (the fault window) and after the faults. */
  latencyByPhaseMs: { before: LatencySummaryMs; during: LatencySummaryMs; after: LatencySummaryMs };
  traffic: {
    before: TrafficStats;
    during: TrafficStats;
    after: TrafficStats;
    /** During the fault window, per request of the load scenario (add-to-cart, browse, …). */
    duringByRequest: Record<string, TrafficStats>;
  };
  /** Requests that failed (and starts dropped) during the fault window. */
  requestsLost: number;
  timeToDetectMs: number | null;
  mttr: { count: number; unrecovered: number; meanMs: number | null; maxMs: number | null };
  faults: FaultOutcome[];
  databases: Record<string, WriteVerdict>;
  timeline: RunEvent[];
  requests: number;
  rps: number;
  errorRate: number;
}

export interface ReportInput {
  experiment: string;
  startedAt: number;
  endedAt: number;
  /** End of the `before` phase (the method starts). */
  methodStartMs: number;
  methodEndMs: number;
  rounds: readonly ProbeRound[];
  injections: readonly Injection[];
  events: readonly RunEvent[];
  loadWindows: readonly Window[];
  recoveryRounds: number;
  abortedBy: string | null;
  reason: string | null;
  databases: Record<string, WriteVerdict>;
}

const timelineKinds =
  /^(fault|action|hypothesis|experiment|abort|database|replica\.(exited|ready|killed|paused|resumed|failing|restarting|pause-expired)|endpoint\.(ejected|restored|removed|added)|mesh\.tcp\.(upstream|listener)|alert\.|stress\.)/;

export function buildReport(i: ReportInput): ChaosReport {
  const hypothesis = judgeHypothesis(i.rounds);
  const window = faultWindow(i.injections, i.methodEndMs);
  const during = window ?? { startMs: i.methodStartMs, endMs: i.methodEndMs };
  const traffic = {
    before: trafficIn(i.loadWindows, { startMs: i.startedAt - 60_000, endMs: during.startMs }),
    during: trafficIn(i.loadWindows, during),
    after: trafficIn(i.loadWindows, { startMs: during.endMs, endMs: i.endedAt + 60_000 }),
  };
  const all = trafficIn(i.loadWindows, { startMs: 0, endMs: Number.MAX_SAFE_INTEGER });
  const names = [...new Set(i.loadWindows.map((w) => w.key.request).filter((r): r is string => !!r))];
  const duringByRequest = Object.fromEntries(
    names.map((n) => [
      n,
      trafficIn(
        i.loadWindows.filter((w) => w.key.request === n),
        during,
      ),
    ]),
  );
  const sorted = [...i.injections].sort((a, b) => a.injectedAtMs - b.injectedAtMs);
  const faults: FaultOutcome[] = sorted.map((inj, k) => {
    // Rounds after the next injection of the same type belong to that one.
    const next = sorted.slice(k + 1).find((x) => x.type === inj.type);
    const o = injectionOutcome(inj, i.rounds, i.events, {
      consecutive: i.recoveryRounds,
      ...(next ? { untilMs: next.injectedAtMs } : {}),
    });
    return {
      ...o,
      type: inj.type,
      targets: inj.targets,
      instant: inj.instant,
      injectedAt: inj.injectedAtMs,
      revertedAt: inj.revertedAtMs ?? null,
    };
  });
  const detected = faults.map((f) => f.timeToDetectMs).filter((t): t is number => t !== null);
  let status: ExperimentStatus;
  if (i.abortedBy !== null && i.abortedBy !== 'not-steady') status = 'aborted';
  else if (hypothesis.verdict !== 'held') status = 'failed';
  else if (Object.values(i.databases).some((d) => d.lost > 0)) status = 'failed';
  else status = 'passed';
  const seconds = Math.max(1, (i.endedAt - i.startedAt) / 1000);
  return {
    experiment: i.experiment,
    status,
    abortedBy: i.abortedBy,
    reason: i.reason,
    startedAt: i.startedAt,
    endedAt: i.endedAt,
    durationMs: i.endedAt - i.startedAt,
    hypothesis: {
      ...hypothesis,
      firstViolationAfterMs: hypothesis.firstViolation ? hypothesis.firstViolation.t - i.startedAt : null,
    },
    faultWindow: window,
    availability: {
      before: traffic.before.availability,
      during: traffic.during.availability,
      after: traffic.after.availability,
    },
    latencyMs: all.latencyMs,
    latencyByPhaseMs: {
      before: traffic.before.latencyMs,
      during: traffic.during.latencyMs,
      after: traffic.after.latencyMs,
    },
    traffic: { ...traffic, duringByRequest },
    requestsLost: traffic.during.failed + traffic.during.dropped,
    timeToDetectMs: detected.length ? Math.min(...detected) : null,
    mttr: summarizeRecovery(faults),
    faults,
    databases: i.databases,
    timeline: i.events.filter((e) => timelineKinds.test(e.kind)).slice(0, 2000),
    requests: all.requests,
    rps: Math.round((all.requests / seconds) * 10) / 10,
    errorRate: all.requests ? all.failed / all.requests : 0,
  };
}
