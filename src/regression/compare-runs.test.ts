import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../test/helpers/runs.js';
import { recordUs } from '../core/histogram.js';
import { createRandom } from '../core/random.js';
import { createWindow } from '../core/window.js';
import { compareRuns } from './compare-runs.js';

const r = createRandom(77);
const opts = { random: createRandom(1), bootstrapIterations: 200 };

describe('compareRuns', () => {
  it('passes equal runs and flags a 20 % latency increase on every latency metric', () => {
    const a = syntheticRun(r, 'a', 40, [{ medianMs: 50 }]);
    const a2 = syntheticRun(r, 'a2', 40, [{ medianMs: 50 }]);
    const b = syntheticRun(r, 'b', 40, [{ medianMs: 60 }]);
    const same = compareRuns(a, a2, opts);
    expect(same.verdict).not.toBe('regressed');
    expect(same.regressions).toEqual([]);
    const worse = compareRuns(a, b, opts);
    expect(worse.verdict).toBe('regressed');
    expect(worse.regressions).toEqual(
      expect.arrayContaining([
        'latency_p50_ms (overall)',
        'latency_p90_ms (overall)',
        'latency_mean_ms (overall)',
      ]),
    );
    expect(worse.regressions.join()).not.toContain('throughput');
    const p50 = worse.metrics.find((m) => m.metric === 'latency_p50_ms');
    expect(p50?.effect?.relative).toBeGreaterThan(0.15);
    expect(p50?.bootstrap?.difference).toBeGreaterThan(5000);
    expect(p50?.bootstrap?.lower).toBeGreaterThan(0);
    expect(worse.tests).toBe(
      worse.metrics.filter((m) => m.state === 'judged').length +
        worse.metrics.filter((m) => m.dispersion).length,
    );
  });

  it('flags a throughput drop and an error-rate rise in their own directions', () => {
    const a = syntheticRun(r, 'a', 30, [{ requests: 100, errorShare: 0 }]);
    const b = syntheticRun(r, 'b', 30, [{ requests: 70, errorShare: 0.05 }]);
    const rep = compareRuns(a, b, opts);
    const by = Object.fromEntries(rep.metrics.map((m) => [m.metric, m.verdict]));
    expect(by.throughput_rps).toBe('regressed');
    expect(by.error_rate).toBe('regressed');
    const back = compareRuns(b, a, opts);
    expect(Object.fromEntries(back.metrics.map((m) => [m.metric, m.verdict]))).toMatchObject({
      throughput_rps: 'improved',
      error_rate: 'improved',
    });
  });

  it('breaks down by scenario and request, and names a group only one run has as no data', () => {
    const keys = (withSearch: boolean) => [
      { key: { scenario: 'browse', request: 'home' }, requests: 40 },
      { key: { scenario: 'browse', request: 'product' }, requests: 40 },
      ...(withSearch ? [{ key: { scenario: 'search', request: 'q' }, requests: 40 }] : []),
      { key: { scenario: 'buy', request: 'pay' }, requests: 40 },
    ];
    const a = syntheticRun(r, 'a', 20, keys(false));
    const b = syntheticRun(r, 'b', 20, keys(true));
    const rep = compareRuns(a, b, { ...opts, metrics: ['latency_p50_ms'] });
    expect(rep.metrics.map((m) => m.groupLabel)).toEqual([
      'overall',
      'scenario browse',
      'browse / home',
      'browse / product',
      'scenario buy',
      'scenario search',
    ]);
    const search = rep.metrics.find((m) => m.groupLabel === 'scenario search');
    expect(search).toMatchObject({ verdict: 'inconclusive', reason: 'no data in the baseline' });
    expect(
      compareRuns(a, b, { ...opts, depth: 'overall' }).metrics.every((m) => m.groupLabel === 'overall'),
    ).toBe(true);
  });

  it('is inconclusive without data and with too few windows', () => {
    const empty = { id: 'e', startMs: 0, windows: [] };
    const rep = compareRuns(empty, empty, opts);
    expect(rep.verdict).toBe('inconclusive');
    expect(rep.metrics.every((m) => m.verdict === 'inconclusive')).toBe(true);
    const short = syntheticRun(r, 's', 3, [{}]);
    expect(compareRuns(short, short, opts).verdict).toBe('inconclusive');
  });

  it('leaves out the warm-up and the graceful-stop tail', () => {
    const slowStart = (s: number) => [{ medianMs: s < 3 ? 200 : 20 }];
    const a = syntheticRun(r, 'a', 20, [{ medianMs: 20 }]);
    const b = syntheticRun(r, 'b', 20, slowStart);
    // A straggler second after the planned end, with a huge latency, must not count.
    const tail = createWindow(b.startMs + 20_000, 1000, { scenario: 'default', request: 'get' });
    recordUs(tail.latencyUs, 9_000_000);
    tail.counters.requests = 1;
    const withTail = { ...b, windows: [...b.windows, tail] };
    expect(compareRuns(a, withTail, opts).candidate.seconds).toBe(20);
    const warm = compareRuns(a, withTail, { ...opts, warmupMs: 3000 });
    expect(warm.candidate.seconds).toBe(17);
    expect(warm.metrics.find((m) => m.metric === 'latency_p99_ms')?.verdict).not.toBe('regressed');
  });

  it('rejects an unknown metric name with the known ones', () => {
    expect(() =>
      compareRuns(syntheticRun(r, 'a', 5, [{}]), syntheticRun(r, 'b', 5, [{}]), {
        ...opts,
        metrics: ['latency_p42'],
      }),
    ).toThrow(/unknown metric "latency_p42"/);
  });
});
