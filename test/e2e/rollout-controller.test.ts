import { afterEach, describe, expect, it } from 'vitest';
import type { AnalysisMetricSpec, RolloutSpec } from '../../src/delivery/model.js';
import { runRollout } from '../../src/delivery/run-rollout.js';
import { CollectingSink } from '../helpers/fleet.js';
import { loadUntil, type RolloutPlatform, startRolloutPlatform } from '../helpers/rollout.js';

// The rollout controller on the local platform: the mesh in process, v1 and v2 of a
// service as real processes, load through the mesh while the analysis judges v2 against v1.
let p: RolloutPlatform | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

const judge = (intervalMs: number): AnalysisMetricSpec => ({
  name: 'judge',
  provider: {
    type: 'judge',
    baseline: 'stable',
    pass: 90,
    marginal: 75,
    confidence: 0.98,
    tolerance: 0.05,
    minSamples: 10,
    dispersionRatio: 1.5,
    equalize: true,
  },
  intervalMs,
  count: 1,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  noData: 'fail',
});

function canary(over: Partial<RolloutSpec> = {}): RolloutSpec {
  return {
    service: 'api',
    version: 'v2',
    strategy: {
      type: 'canary',
      steps: [
        { kind: 'setWeight', weight: 30 },
        { kind: 'analysis', analysis: { name: 'judge', metrics: [judge(10_000)] } },
        { kind: 'setWeight', weight: 60 },
      ],
    },
    progressDeadlineMs: 30_000,
    scaleDownDelayMs: 500,
    abortScaleDownDelayMs: 500,
    notifiers: [],
    ...over,
  };
}

describe('rollout controller (canary)', () => {
  it('promotes an identical v2 through every step, then scales v1 down', async () => {
    const sink = new CollectingSink();
    p = await startRolloutPlatform({
      v1Env: { RESPONSE_DELAY_MS: '5' },
      v2Env: { RESPONSE_DELAY_MS: '5' },
      events: sink,
    });
    const stop = new AbortController();
    const load = loadUntil(`${p.url}/`, '200/s', stop.signal);
    const run = await runRollout(p.platform, canary(), { events: sink, windowLagMs: 1200 });
    stop.abort();
    const summary = await load;
    expect(run.status.message).toMatch(/takes all traffic/);
    expect(run.ok).toBe(true);
    expect(run.status.phase).toBe('promoted');
    expect(await p.platform.mesh?.weights('api')).toEqual({ v1: 0, v2: 100 });
    expect(p.platform.fleet?.service('api').versions.map((v) => [v.name, v.desired])).toEqual([
      ['v1', 0],
      ['v2', 1],
    ]);
    expect(summary.errors).toBe(0);
    const kinds = run.events.map((e) => e.kind);
    expect(kinds.indexOf('rollout.canary.ready')).toBeLessThan(kinds.indexOf('rollout.step.started'));
    expect(kinds).toEqual(
      expect.arrayContaining([
        'analysis.measurement',
        'analysis.completed',
        'rollout.promoted',
        'rollout.scaled-down',
      ]),
    );
    // v2 joined the mesh (ready) before it got any weight.
    const joined = sink.events.find((e) => e.kind === 'endpoint.added' && e.subject.startsWith('api/v2/'));
    const firstWeight = run.events.find((e) => e.kind === 'rollout.weights' && (e.data.canary as number) > 0);
    expect(joined && firstWeight && joined.t <= firstWeight.t).toBe(true);
  });

  it('aborts a slower v2 at its first analysis: weights back on v1 within seconds of the window closing', async () => {
    p = await startRolloutPlatform({
      v1Env: { RESPONSE_DELAY_MS: '10' },
      v2Env: { RESPONSE_DELAY_MS: '14' },
    });
    const stop = new AbortController();
    const load = loadUntil(`${p.url}/`, '200/s', stop.signal);
    const run = await runRollout(p.platform, canary(), { windowLagMs: 1200 });
    stop.abort();
    await load;
    expect(run.ok).toBe(false);
    expect(run.status).toMatchObject({ phase: 'aborted', abortedBy: 'analysis', step: 1, weight: 0 });
    expect(run.status.abortReason).toMatch(/analysis judge failed: judge: 1 failed measurement/);
    expect(await p.platform.mesh?.weights('api')).toEqual({ v1: 100, v2: 0 });
    expect(run.figures.windowCloseToRollbackS).toBeLessThan(10);
    expect(p.platform.fleet?.service('api').versions.find((v) => v.name === 'v2')?.desired).toBe(0);
    const m = run.events.find((e) => e.kind === 'analysis.measurement');
    expect(m?.data.phase).toBe('failed');
  });
});
