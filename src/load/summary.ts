import { type LatencySummaryMs, summarizeMs } from '../core/histogram.js';
import { type FailureClass, failureClasses } from '../core/window.js';
import { type GroupSummary, groupSummary, type RunAggregate, round } from './aggregate.js';
import type { CheckTally } from './segment-runner.js';
import type { ThresholdResult } from './thresholds.js';

/**
 * The end-of-run summary: what `--out` writes and what the console summary prints.
 * Every percentile comes from merged histograms.
 */
export type RunStatus = 'passed' | 'failed' | 'aborted';

export interface LoadSummary {
  status: RunStatus;
  /** Why the run ended early, if it did: `interrupted` or `threshold`. */
  abortedBy: 'interrupted' | 'threshold' | null;
  startedAt: string;
  endedAt: string;
  durationS: number;
  requests: number;
  rps: number;
  errors: number;
  errorRate: number;
  errorsByClass: Record<FailureClass, number>;
  iterations: number;
  droppedIterations: number;
  vus: number;
  vusMax: number;
  bytesIn: number;
  bytesOut: number;
  checks: { passed: number; failed: number; rate: number | null; list: CheckTally[] };
  latencyMs: LatencySummaryMs;
  serviceTimeMs: LatencySummaryMs;
  thresholds: Array<{ metric: string; expr: string; ok: boolean; value: number | null }>;
  byScenario: Record<string, GroupSummary & { byRequest: Record<string, GroupSummary> }>;
  byZone: Record<string, GroupSummary>;
  windows: Array<{ t: number; rps: number; errors: number; p50Ms: number; p99Ms: number; vus: number }>;
}

export interface SummaryInput {
  aggregate: RunAggregate;
  thresholds: ThresholdResult[];
  checks: CheckTally[];
  startMs: number;
  endMs: number;
  status: RunStatus;
  abortedBy: LoadSummary['abortedBy'];
}

export function buildSummary(i: SummaryInput): LoadSummary {
  const agg = i.aggregate;
  const elapsed = Math.max(0.001, (i.endMs - i.startMs) / 1000);
  const total = agg.totals();
  const c = total.counters;
  const byScenario: LoadSummary['byScenario'] = {};
  for (const s of agg.values('scenario').sort()) {
    const byRequest: Record<string, GroupSummary> = {};
    for (const r of agg.values('request').sort()) {
      const t = agg.totals({ scenario: s, request: r });
      if (t.keys > 0 && t.counters.requests + t.counters.droppedIterations > 0)
        byRequest[r] = groupSummary(t, elapsed);
    }
    byScenario[s] = { ...groupSummary(agg.totals({ scenario: s }), elapsed), byRequest };
  }
  const byZone: LoadSummary['byZone'] = {};
  for (const z of agg.values('zone').sort()) byZone[z] = groupSummary(agg.totals({ zone: z }), elapsed);
  const nChecks = c.checksPassed + c.checksFailed;
  return {
    status: i.status,
    abortedBy: i.abortedBy,
    startedAt: new Date(i.startMs).toISOString(),
    endedAt: new Date(i.endMs).toISOString(),
    durationS: round(elapsed, 3),
    requests: c.requests,
    rps: round(c.requests / elapsed, 2),
    errors: c.errors,
    errorRate: c.requests ? round(c.errors / c.requests, 6) : 0,
    errorsByClass: Object.fromEntries(failureClasses.map((f) => [f, c.failures[f]])) as Record<
      FailureClass,
      number
    >,
    iterations: c.iterations,
    droppedIterations: c.droppedIterations,
    vus: agg.vusPeak,
    vusMax: agg.vusAllocatedPeak,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    checks: {
      passed: c.checksPassed,
      failed: c.checksFailed,
      rate: nChecks ? round(c.checksPassed / nChecks, 6) : null,
      list: i.checks,
    },
    latencyMs: summarizeMs(total.latencyUs),
    serviceTimeMs: summarizeMs(total.serviceTimeUs),
    thresholds: i.thresholds.map(({ metric, expr, ok, value }) => ({
      metric,
      expr,
      ok,
      value: value === null ? null : round(value, 6),
    })),
    byScenario,
    byZone,
    windows: agg.series.map((p) => ({
      t: p.t,
      rps: p.requests,
      errors: p.errors,
      p50Ms: round(p.p50Ms, 3),
      p99Ms: round(p.p99Ms, 3),
      vus: p.vus,
    })),
  };
}
