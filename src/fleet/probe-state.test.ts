import { describe, expect, it } from 'vitest';
import {
  initialProbeCounters,
  type ProbeCounters,
  type ProbeThresholds,
  probeReaction,
  recordProbe,
} from './probe-state.js';

/** Feeds a sequence of results; returns the transitions in order ('.' for none). */
function run(results: boolean[], t: ProbeThresholds): string {
  let c: ProbeCounters = initialProbeCounters();
  let out = '';
  for (const ok of results) {
    const r = recordProbe(c, ok, t);
    c = r.counters;
    out += r.transition === 'passed' ? 'P' : r.transition === 'failed' ? 'F' : '.';
  }
  return out;
}

const seq = (s: string) => [...s].map((ch) => ch === '+');

describe('recordProbe', () => {
  it('passes on the first success with successThreshold 1', () => {
    expect(run(seq('+++'), { successThreshold: 1, failureThreshold: 3 })).toBe('P..');
  });

  it('fails only after failureThreshold consecutive failures, once', () => {
    expect(run(seq('+--+---+'), { successThreshold: 1, failureThreshold: 3 })).toBe('P.....FP');
    expect(run(seq('-----'), { successThreshold: 1, failureThreshold: 3 })).toBe('..F..');
  });

  it('needs successThreshold consecutive successes to pass again', () => {
    expect(run(seq('-+-++-+++'), { successThreshold: 3, failureThreshold: 1 })).toBe('F.......P');
  });

  it('a single failure resets the run of successes and vice versa', () => {
    const t = { successThreshold: 2, failureThreshold: 2 };
    expect(run(seq('+-+-+-++--'), t)).toBe('.......P.F');
  });

  it('keeps the counters it was given untouched', () => {
    const c = initialProbeCounters();
    recordProbe(c, true, { successThreshold: 1, failureThreshold: 1 });
    expect(c).toEqual({ passing: undefined, successes: 0, failures: 0 });
  });
});

describe('probeReaction', () => {
  it('maps each probe kind and transition to what the replica does', () => {
    expect(probeReaction('startup', 'passed')).toBe('started');
    expect(probeReaction('startup', 'failed')).toBe('restart');
    expect(probeReaction('readiness', 'passed')).toBe('ready');
    expect(probeReaction('readiness', 'failed')).toBe('unready');
    expect(probeReaction('liveness', 'failed')).toBe('restart');
    expect(probeReaction('liveness', 'passed')).toBe('none');
  });
});
