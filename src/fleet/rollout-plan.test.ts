import { describe, expect, it } from 'vitest';
import type { ReplicaState } from './replica-state.js';
import { planRollingRestart, planScale, type ReplicaView } from './rollout-plan.js';

const r = (index: number, state: ReplicaState): ReplicaView => ({ id: `r${index}`, index, state });

describe('planScale', () => {
  it('starts the missing replicas', () => {
    expect(planScale([r(0, 'ready')], 3)).toEqual({ start: 2, stop: [], forget: [] });
    expect(planScale([], 2)).toEqual({ start: 2, stop: [], forget: [] });
  });

  it('stops the surplus, those that serve nothing first, then the newest', () => {
    const replicas = [r(0, 'ready'), r(1, 'ready'), r(2, 'ready'), r(3, 'unready'), r(4, 'ready')];
    expect(planScale(replicas, 3).stop).toEqual(['r3', 'r4']);
    expect(planScale([r(0, 'ready'), r(1, 'backoff'), r(2, 'starting')], 1).stop).toEqual(['r1', 'r2']);
    expect(planScale([r(0, 'paused'), r(1, 'ready')], 1).stop).toEqual(['r0']);
    expect(planScale([r(0, 'ready'), r(1, 'ready')], 0).stop).toEqual(['r1', 'r0']);
  });

  it('does not count terminal or leaving replicas, and forgets the terminal ones', () => {
    const replicas = [r(0, 'crash-loop'), r(1, 'ready'), r(2, 'stopping'), r(3, 'stopped'), r(4, 'failed')];
    expect(planScale(replicas, 2)).toEqual({ start: 1, stop: [], forget: ['r0', 'r3', 'r4'] });
  });

  it('does nothing at the desired count', () => {
    expect(planScale([r(0, 'ready'), r(1, 'starting')], 2)).toEqual({ start: 0, stop: [], forget: [] });
  });
});

describe('planRollingRestart', () => {
  it('replaces one replica at a time, oldest first', () => {
    expect(planRollingRestart([r(2, 'ready'), r(0, 'ready'), r(1, 'ready')])).toEqual([
      { start: 1, retire: ['r0'] },
      { start: 1, retire: ['r1'] },
      { start: 1, retire: ['r2'] },
    ]);
  });

  it('replaces replicas that serve nothing first', () => {
    const plan = planRollingRestart([r(0, 'ready'), r(1, 'backoff'), r(2, 'unready')]);
    expect(plan.map((b) => b.retire[0])).toEqual(['r1', 'r2', 'r0']);
  });

  it('batches by maxSurge, with a short last batch', () => {
    const replicas = [0, 1, 2, 3, 4].map((i) => r(i, 'ready'));
    expect(planRollingRestart(replicas, 2)).toEqual([
      { start: 2, retire: ['r0', 'r1'] },
      { start: 2, retire: ['r2', 'r3'] },
      { start: 1, retire: ['r4'] },
    ]);
    expect(planRollingRestart(replicas, 0)).toHaveLength(5);
  });

  it('skips replicas already leaving or gone, and plans nothing for none', () => {
    expect(planRollingRestart([r(0, 'stopping'), r(1, 'crash-loop'), r(2, 'ready')])).toEqual([
      { start: 1, retire: ['r2'] },
    ]);
    expect(planRollingRestart([])).toEqual([]);
  });
});
