import { describe, expect, it } from 'vitest';
import { recordUs } from '../../core/histogram.js';
import { createRandom } from '../../core/random.js';
import { createWindow } from '../../core/window.js';
import { parseSelector, selectedCount, selectTargets } from '../selectors.js';
import { judgeHypothesis } from './hypothesis.js';
import { faultWindow, trafficIn } from './phases.js';
import { detectionTime, firstHealthyRun, injectionOutcome, summarizeRecovery } from './recovery.js';
import { parseTolerance, withinTolerance } from './tolerance.js';
import type { Injection, ProbeRound } from './types.js';

const round = (t: number, ok: boolean | boolean[], phase: ProbeRound['phase'] = 'during'): ProbeRound => ({
  t,
  phase,
  results: (Array.isArray(ok) ? ok : [ok]).map((o, i) => ({ probe: `p${i}`, ok: o, value: o ? 1 : 0 })),
});
const ev = (t: number, kind: string, subject: string) => ({ t, kind, source: 'fleet', subject, data: {} });

describe('tolerances', () => {
  it('parses durations, percentages and numbers, and compares', () => {
    expect(parseTolerance('< 250ms')).toMatchObject({ op: '<', value: 250 });
    expect(parseTolerance('>=99.9%')).toMatchObject({ op: '>=', value: 0.999 });
    expect(parseTolerance('<= 1.5s').value).toBe(1500);
    expect(parseTolerance('== 200').value).toBe(200);
    expect(parseTolerance('!= 0').op).toBe('!=');
    expect(withinTolerance(249, parseTolerance('< 250ms'))).toBe(true);
    expect(withinTolerance(250, parseTolerance('< 250ms'))).toBe(false);
    expect(withinTolerance(250, parseTolerance('<= 250ms'))).toBe(true);
    expect(withinTolerance(0.9991, parseTolerance('>= 99.9%'))).toBe(true);
    expect(withinTolerance(0.998, parseTolerance('>= 99.9%'))).toBe(false);
    expect(withinTolerance(3, parseTolerance('> 2'))).toBe(true);
    expect(withinTolerance(2, parseTolerance('== 2'))).toBe(true);
    expect(withinTolerance(2, parseTolerance('!= 2'))).toBe(false);
  });
  it('rejects what is not a comparison, naming the expected shape', () => {
    for (const bad of ['250ms', '< ', '<< 3', '< abc', '< 3 parsecs'])
      expect(() => parseTolerance(bad)).toThrow(/expected a comparison|not a number|invalid tolerance/);
  });
});

describe('selectors', () => {
  it('parses one, all, counts and percentages', () => {
    expect(parseSelector('one')).toEqual({ mode: 'one' });
    expect(parseSelector('all')).toEqual({ mode: 'all' });
    expect(parseSelector(2)).toEqual({ mode: 'count', count: 2 });
    expect(parseSelector('3')).toEqual({ mode: 'count', count: 3 });
    expect(parseSelector('50%')).toEqual({ mode: 'percent', percent: 50 });
    for (const bad of ['none', '0', 0, '150%', '0%', -1, 1.5])
      expect(() => parseSelector(bad)).toThrow(/selector/);
  });
  it('takes the right number of targets', () => {
    expect(selectedCount({ mode: 'one' }, 5)).toBe(1);
    expect(selectedCount({ mode: 'one' }, 0)).toBe(0);
    expect(selectedCount({ mode: 'all' }, 5)).toBe(5);
    expect(selectedCount({ mode: 'count', count: 9 }, 5)).toBe(5);
    expect(selectedCount({ mode: 'percent', percent: 50 }, 5)).toBe(2);
    expect(selectedCount({ mode: 'percent', percent: 10 }, 5)).toBe(1);
  });
  it('picks distinct targets, in candidate order, repeatably with a seed, each one eventually', () => {
    const c = ['a', 'b', 'c', 'd', 'e'];
    const pick = selectTargets(c, { mode: 'count', count: 3 }, createRandom(1));
    expect(new Set(pick).size).toBe(3);
    expect([...pick].sort()).toEqual(pick.slice().sort((x, y) => c.indexOf(x) - c.indexOf(y)));
    expect(selectTargets(c, { mode: 'count', count: 3 }, createRandom(1))).toEqual(pick);
    const seen = new Set<string>();
    const r = createRandom(2);
    for (let i = 0; i < 200; i++) for (const x of selectTargets(c, { mode: 'one' }, r)) seen.add(x);
    expect([...seen].sort()).toEqual(c);
    expect(selectTargets(c, { mode: 'all' }, r)).toEqual(c);
    expect(selectTargets([], { mode: 'one' }, r)).toEqual([]);
  });
});

describe('traffic in a range', () => {
  it('merges windows of the range exactly: availability, latency, failures', () => {
    const ws = [0, 1000, 2000, 3000].map((t, i) => {
      const w = createWindow(t, 1000, {});
      w.counters.requests = 100;
      w.counters.errors = i === 2 ? 5 : 0;
      w.counters.failures.status5xx = w.counters.errors;
      for (let k = 0; k < 100; k++) recordUs(w.latencyUs, (i + 1) * 10_000);
      return w;
    });
    const mid = trafficIn(ws, { startMs: 1000, endMs: 3000 });
    expect(mid).toMatchObject({ requests: 200, failed: 5, availability: 0.975, failures: { status5xx: 5 } });
    expect(mid.latencyMs.p50).toBeCloseTo(20, 0);
    expect(mid.latencyMs.max).toBeCloseTo(30, 0);
    expect(trafficIn(ws, { startMs: 5000, endMs: 6000 }).availability).toBeNull();
    // A window counts for the range its midpoint is in: each request once.
    expect(trafficIn(ws, { startMs: 1500, endMs: 2500 }).requests).toBe(100);
    expect(trafficIn(ws, { startMs: 1400, endMs: 2600 }).requests).toBe(200);
    expect(
      trafficIn(ws, { startMs: 0, endMs: 1500 }).requests +
        trafficIn(ws, { startMs: 1500, endMs: 9999 }).requests,
    ).toBe(400);
  });
  it('spans the fault window from the first injection to the last revert or the method end', () => {
    expect(faultWindow([], 10)).toBeNull();
    expect(faultWindow([{ injectedAtMs: 100, revertedAtMs: 900 }, { injectedAtMs: 50 }], 500)).toEqual({
      startMs: 50,
      endMs: 900,
    });
  });
});

describe('time to detect and to recover', () => {
  const kill: Injection = {
    id: 'k',
    type: 'replica-kill',
    instant: true,
    targets: ['cat-0'],
    injectedAtMs: 1000,
    recovery: { kind: 'replica.ready', subjects: ['cat-0'] },
  };
  const rounds = [
    round(500, true, 'before'),
    round(1000, true),
    round(1500, false),
    round(2000, false),
    round(2500, true),
    round(3000, true),
    round(3500, true),
    round(4000, true),
  ];

  it('detects at the first failing round or firing alert after the injection', () => {
    expect(detectionTime(kill, rounds, [])).toBe(1500);
    expect(detectionTime(kill, rounds, [ev(1200, 'alert.firing', 'HighErrors')])).toBe(1200);
    expect(detectionTime(kill, rounds.slice(0, 2), [])).toBeNull();
    expect(detectionTime(kill, rounds, [], 1500)).toBeNull();
  });

  it('recovers at the first of N healthy rounds after the recovery event (instant: MTTR from the injection)', () => {
    const events = [ev(1100, 'replica.exited', 'cat-0'), ev(2200, 'replica.ready', 'cat-0')];
    const o = injectionOutcome(kill, rounds, events, { consecutive: 3 });
    expect(o).toMatchObject({
      detectedAtMs: 1500,
      timeToDetectMs: 500,
      recoveryEventAtMs: 2200,
      recoveredAtMs: 2500,
      timeToRecoverMs: 1500,
    });
    // Ready earlier than the probes: the probes decide.
    expect(
      injectionOutcome(kill, rounds, [ev(1600, 'replica.ready', 'cat-0')], { consecutive: 2 }).recoveredAtMs,
    ).toBe(2500);
    // Never ready again: not recovered, whatever the probes say.
    expect(injectionOutcome(kill, rounds, [], { consecutive: 1 }).timeToRecoverMs).toBeNull();
    // Needs more healthy rounds than there are: not recovered.
    expect(injectionOutcome(kill, rounds, events, { consecutive: 5 }).recoveredAtMs).toBeNull();
  });

  it('counts from the revert for faults that stay until reverted; unreverted ones have no MTTR', () => {
    const latency: Injection = {
      id: 'l',
      type: 'latency',
      instant: false,
      targets: ['catalog'],
      injectedAtMs: 1000,
      revertedAtMs: 2100,
    };
    expect(injectionOutcome(latency, rounds, [], { consecutive: 2 })).toMatchObject({
      recoveredAtMs: 2500,
      timeToRecoverMs: 400,
    });
    const { revertedAtMs: _, ...unreverted } = latency;
    expect(injectionOutcome(unreverted, rounds, [], { consecutive: 2 }).timeToRecoverMs).toBeNull();
  });

  it('a healthy run resets on a failure', () => {
    const rs = [round(0, true), round(1, false), round(2, true), round(3, true)];
    expect(firstHealthyRun(rs, 0, Number.POSITIVE_INFINITY, 2)).toBe(2);
    expect(firstHealthyRun(rs, 0, 3, 2)).toBeNull();
    expect(firstHealthyRun(rs, 0, Number.POSITIVE_INFINITY, 1)).toBe(0);
  });

  it('summarizes MTTR as mean and max of the recovered, counting the unrecovered', () => {
    const base = {
      id: 'x',
      detectedAtMs: null,
      timeToDetectMs: null,
      recoveryEventAtMs: null,
      recoveredAtMs: 0,
    };
    expect(
      summarizeRecovery([
        { ...base, timeToRecoverMs: 1000 },
        { ...base, timeToRecoverMs: 3000 },
        { ...base, timeToRecoverMs: null },
      ]),
    ).toEqual({ count: 3, unrecovered: 1, meanMs: 2000, maxMs: 3000 });
    expect(summarizeRecovery([])).toEqual({ count: 0, unrecovered: 0, meanMs: null, maxMs: null });
  });
});

describe('the hypothesis verdict', () => {
  it('holds when every round during holds and the last one after does', () => {
    const r = judgeHypothesis([
      round(0, true, 'before'),
      round(1, true),
      round(2, false, 'after'),
      round(3, true, 'after'),
    ]);
    expect(r.verdict).toBe('held');
    expect(r.byPhase).toEqual({
      before: { rounds: 1, failed: 0 },
      during: { rounds: 1, failed: 0 },
      after: { rounds: 2, failed: 1 },
    });
  });
  it('is violated at the first failing round during the fault, naming the probe and the time', () => {
    const r = judgeHypothesis([
      round(0, [true, true], 'before'),
      round(1, [true, true]),
      round(2, [true, false]),
      round(3, [false, false]),
      round(4, [true, true], 'after'),
    ]);
    expect(r.verdict).toBe('violated');
    expect(r.firstViolation).toMatchObject({ probe: 'p1', t: 2, phase: 'during', value: 0 });
    expect(r.probes.find((p) => p.name === 'p1')).toMatchObject({
      failures: 2,
      firstFailureAt: 2,
      rounds: 5,
    });
  });
  it('is violated when it is not back by the end', () => {
    expect(judgeHypothesis([round(1, true), round(2, false, 'after')]).verdict).toBe('violated');
  });
  it('is not-steady when the last round before the method fails', () => {
    const r = judgeHypothesis([round(0, true, 'before'), round(1, false, 'before')]);
    expect(r.verdict).toBe('not-steady');
    expect(r.firstViolation?.phase).toBe('before');
    // An early failure that recovered before the method is fine.
    expect(judgeHypothesis([round(0, false, 'before'), round(1, true, 'before')]).verdict).toBe('held');
  });
});
