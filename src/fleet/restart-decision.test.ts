import { describe, expect, it } from 'vitest';
import {
  decideAfterExit,
  type ExitInfo,
  isFailure,
  type RestartPolicy,
  restartDelayMs,
} from './restart-decision.js';

const policy: RestartPolicy = {
  policy: 'always',
  backoff: { initialMs: 250, maxMs: 30_000, factor: 2 },
  resetAfterMs: 10_000,
  crashLoopLimit: 5,
};
const killed: ExitInfo = { code: null, signal: 'SIGKILL', requested: false };
const crashed: ExitInfo = { code: 1, signal: null, requested: false };
const clean: ExitInfo = { code: 0, signal: null, requested: false };

describe('restartDelayMs', () => {
  it('grows exponentially from the initial delay and stops at the cap', () => {
    const b = policy.backoff;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => restartDelayMs(n, b))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(restartDelayMs(0, b)).toBe(250);
    expect(restartDelayMs(10_000, b)).toBe(30_000);
    expect(restartDelayMs(3, { initialMs: 100, maxMs: 1000, factor: 1 })).toBe(100);
    expect(restartDelayMs(3, { initialMs: 100, maxMs: 1000, factor: 3 })).toBe(900);
  });
});

describe('isFailure', () => {
  it('counts non-zero codes and signals as failures, code 0 not', () => {
    expect(isFailure(killed)).toBe(true);
    expect(isFailure(crashed)).toBe(true);
    expect(isFailure(clean)).toBe(false);
  });
});

describe('decideAfterExit', () => {
  it('leaves a replica down when the fleet stopped it, whatever the policy', () => {
    expect(decideAfterExit({ ...killed, requested: true }, 0, 0, policy)).toEqual({
      action: 'stay-down',
      reason: 'stopped',
    });
  });

  it('restarts under "always" after any exit, with the initial delay first', () => {
    expect(decideAfterExit(killed, 0, 0, policy)).toEqual({ action: 'restart', delayMs: 250, shortRuns: 1 });
    expect(decideAfterExit(clean, 0, 0, policy)).toEqual({ action: 'restart', delayMs: 250, shortRuns: 1 });
  });

  it('restarts under "on-failure" only after failures', () => {
    const p = { ...policy, policy: 'on-failure' as const };
    expect(decideAfterExit(crashed, 0, 0, p).action).toBe('restart');
    expect(decideAfterExit(killed, 0, 0, p).action).toBe('restart');
    expect(decideAfterExit(clean, 0, 0, p)).toEqual({ action: 'stay-down', reason: 'completed' });
  });

  it('never restarts under "never"', () => {
    const p = { ...policy, policy: 'never' as const };
    expect(decideAfterExit(crashed, 0, 0, p)).toEqual({ action: 'stay-down', reason: 'policy' });
  });

  it('backs off over consecutive short runs and gives up past the crash-loop limit', () => {
    let shortRuns = 0;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const d = decideAfterExit(crashed, 0, shortRuns, policy);
      if (d.action !== 'restart') throw new Error(`expected a restart, got ${d.action}`);
      delays.push(d.delayMs);
      shortRuns = d.shortRuns;
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000]);
    expect(decideAfterExit(crashed, 0, shortRuns, policy)).toEqual({ action: 'crash-loop', shortRuns: 6 });
  });

  it('a run that stayed ready for resetAfter starts the count again', () => {
    expect(decideAfterExit(killed, 10_000, 5, policy)).toEqual({
      action: 'restart',
      delayMs: 250,
      shortRuns: 1,
    });
    // Ready, but not for long enough: still a short run.
    expect(decideAfterExit(killed, 9_999, 4, policy)).toEqual({
      action: 'restart',
      delayMs: 4000,
      shortRuns: 5,
    });
  });

  it('a limit of 1 allows exactly one restart in a row', () => {
    const p = { ...policy, crashLoopLimit: 1 };
    expect(decideAfterExit(crashed, 0, 0, p).action).toBe('restart');
    expect(decideAfterExit(crashed, 0, 1, p).action).toBe('crash-loop');
  });
});
