import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../test/helpers/runs.js';
import { createRandom } from '../core/random.js';
import { metricRegistry } from './metrics.js';
import { mergeSeconds, PreparedRun } from './series.js';
import { runValue, type TrendPoint, trendOf } from './trend.js';

const r = createRandom(5);
const metrics = metricRegistry();

const history = (values: number[]): TrendPoint[] =>
  values.map((v, i) => ({
    runId: `run-${i}`,
    startMs: 1000 * i,
    value: v,
    gitSha: `sha${i}`,
    gitBranch: 'main',
  }));

describe('trendOf', () => {
  it('finds a latency step as a regression with before/after, change and p-value', () => {
    const values = Array.from({ length: 40 }, (_, i) => (i < 30 ? 100 : 130) + 2 * r.normal());
    const rep = trendOf(history(values), metrics.get('latency_p99_ms'), {}, { recentRuns: 12 });
    expect(rep.changePoints).toHaveLength(1);
    const c = rep.changePoints[0];
    expect(c).toMatchObject({
      index: 30,
      runId: 'run-30',
      gitSha: 'sha30',
      startMs: 30_000,
      kind: 'regression',
    });
    expect(c?.meanBefore).toBeCloseTo(100, 0);
    expect(c?.meanAfter).toBeCloseTo(130, 0);
    expect(c?.changePercent).toBeCloseTo(30, 0);
    expect(c?.pValue).toBeLessThan(0.001);
    expect(rep.regression?.runId).toBe('run-30');
  });

  it('does not fail on an old regression or on an improvement', () => {
    const values = Array.from({ length: 40 }, (_, i) => (i < 10 ? 100 : 130) + 2 * r.normal());
    expect(trendOf(history(values), metrics.get('latency_p99_ms'), {}).regression).toBeNull();
    const faster = Array.from({ length: 40 }, (_, i) => (i < 35 ? 130 : 100) + 2 * r.normal());
    const rep = trendOf(history(faster), metrics.get('latency_p99_ms'), {});
    expect(rep.changePoints[0]?.kind).toBe('improvement');
    expect(rep.regression).toBeNull();
    // For throughput, falling is the regression.
    expect(trendOf(history(faster), metrics.get('throughput_rps'), {}).regression?.index).toBe(35);
  });

  it('reports nothing on a flat history', () => {
    const flat = Array.from({ length: 30 }, () => 50 + r.normal());
    expect(trendOf(history(flat), metrics.get('latency_p50_ms'), {}).changePoints).toEqual([]);
  });
});

describe('runValue', () => {
  it('reads whole-run values: percentiles of the merged histograms, totals of counters', () => {
    const run = syntheticRun(r, 'x', 10, (s) => [
      { medianMs: s < 5 ? 10 : 30, requests: 50, errorShare: 0.1 },
    ]);
    const seconds = new PreparedRun(run).secondsOf({});
    const merged = mergeSeconds(seconds);
    expect(merged.requests).toBe(500);
    const p50 = runValue(run, {}, metrics.get('latency_p50_ms')) as number;
    // Half the requests near 10 ms and half near 30 ms: the median sits between them.
    expect(p50).toBeGreaterThan(10);
    expect(p50).toBeLessThan(30);
    expect(runValue(run, {}, metrics.get('throughput_rps'))).toBeCloseTo(50, 6);
    expect(runValue(run, {}, metrics.get('error_rate'))).toBeCloseTo(merged.errors / 500, 9);
    expect(runValue(run, { scenario: 'nope' }, metrics.get('latency_p50_ms'))).toBeUndefined();
  });
});
