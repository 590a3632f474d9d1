import { describe, expect, it } from 'vitest';
import { recordUs } from '../../core/histogram.js';
import { createWindow } from '../../core/window.js';
import type { ProbeRound } from '../measure/types.js';
import { buildReport, type ReportInput } from './report.js';

// The report is computed from observations alone: these are hand-made ones.
const second = (t: number, requests: number, errors: number, latencyMs: number) => {
  const w = createWindow(t, 1000, { scenario: 's', request: 'r' });
  w.counters.requests = requests;
  w.counters.errors = errors;
  w.counters.failures.status5xx = errors;
  for (let i = 0; i < requests; i++) recordUs(w.latencyUs, latencyMs * 1000);
  return w;
};
const round = (t: number, ok: boolean, phase: ProbeRound['phase']): ProbeRound => ({
  t,
  phase,
  results: [{ probe: 'p', ok, value: ok ? 1 : 0 }],
});

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    experiment: 'e',
    startedAt: 0,
    endedAt: 10_000,
    methodStartMs: 3000,
    methodEndMs: 6000,
    rounds: [
      round(1000, true, 'before'),
      round(4000, false, 'during'),
      round(7000, true, 'after'),
      round(8000, true, 'after'),
      round(9000, true, 'after'),
    ],
    injections: [
      { id: 'f1', type: 'latency', instant: false, targets: ['svc'], injectedAtMs: 3000, revertedAtMs: 6000 },
    ],
    events: [],
    loadWindows: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000].map((t) =>
      t >= 3000 && t < 6000 ? second(t, 100, 1, 300) : second(t, 100, 0, 10),
    ),
    recoveryRounds: 2,
    abortedBy: null,
    reason: null,
    databases: {},
    ...over,
  };
}

describe('the experiment report', () => {
  it('splits traffic into before, during and after the fault window, each request once', () => {
    const r = buildReport(input());
    expect(r.faultWindow).toEqual({ startMs: 3000, endMs: 6000 });
    // A second counts for the phase it ends in: during = the seconds ending in (3000, 6000].
    expect(r.traffic.before).toMatchObject({ requests: 300, failed: 0 });
    expect(r.traffic.during).toMatchObject({ requests: 300, failed: 3 });
    expect(r.traffic.after).toMatchObject({ requests: 400, failed: 0 });
    expect(r.availability.during).toBeLessThan(1);
    expect(r.availability.before).toBe(1);
    expect(r.latencyByPhaseMs.during.p99).toBeGreaterThan(r.latencyByPhaseMs.before.p99);
    expect(r.requestsLost).toBe(r.traffic.during.failed);
    expect(r.requests).toBe(1000);
    expect(r.rps).toBe(100);
    expect(r.traffic.duringByRequest.r?.requests).toBe(r.traffic.during.requests);
  });

  it('failed when the hypothesis is violated; detect and recover times per fault; MTTR', () => {
    const r = buildReport(input());
    expect(r.status).toBe('failed');
    expect(r.hypothesis.firstViolationAfterMs).toBe(4000);
    expect(r.faults[0]).toMatchObject({ timeToDetectMs: 1000, recoveredAtMs: 7000, timeToRecoverMs: 1000 });
    expect(r.mttr).toEqual({ count: 1, unrecovered: 0, meanMs: 1000, maxMs: 1000 });
    expect(r.timeToDetectMs).toBe(1000);
  });

  it('passed when it held; aborted when aborted (not when merely not steady); failed on lost writes', () => {
    const held = input({
      rounds: [round(1000, true, 'before'), round(4000, true, 'during'), round(7000, true, 'after')],
    });
    expect(buildReport(held).status).toBe('passed');
    expect(buildReport({ ...held, abortedBy: 'interrupted', reason: 'interrupted' }).status).toBe('aborted');
    expect(buildReport({ ...held, abortedBy: 'abort-condition', reason: 'x' }).status).toBe('aborted');
    expect(
      buildReport({
        ...input({ rounds: [round(1000, false, 'before')] }),
        abortedBy: 'not-steady',
        reason: 'x',
      }).status,
    ).toBe('failed');
    const lost = {
      attempted: 10,
      acknowledged: 9,
      failed: 1,
      inDoubt: 0,
      lastAckAt: 1,
      lastAttemptOk: true,
      longestOutageMs: 5,
      outage: null,
      lost: 1,
      lostSeqs: [3],
      verifiedOn: 'x',
    };
    expect(buildReport({ ...held, databases: { db: lost } }).status).toBe('failed');
  });
});
