import { describe, expect, it } from 'vitest';
import { MemorySeriesStore } from '../tsdb.js';
import { evaluate, evaluateVector } from './evaluate.js';
import { parsePromql } from './parser.js';

const T = 1_700_000_000_000;

function store(): MemorySeriesStore {
  const s = new MemorySeriesStore();
  // A counter growing 10/s sampled every 15 s, two instances; instance b resets once.
  for (let i = 0; i <= 40; i++) {
    const t = T + i * 15_000;
    s.append({ __name__: 'http_requests_total', job: 'api', instance: 'a', code: '200' }, t, i * 150);
    s.append({ __name__: 'http_requests_total', job: 'api', instance: 'a', code: '500' }, t, i * 15);
    s.append(
      { __name__: 'http_requests_total', job: 'api', instance: 'b', code: '200' },
      t,
      i < 20 ? i * 150 : (i - 20) * 150,
    );
  }
  for (const [le, c] of [
    ['0.1', 50],
    ['0.25', 80],
    ['0.5', 95],
    ['1', 99],
    ['+Inf', 100],
  ] as const) {
    s.append({ __name__: 'latency_seconds_bucket', job: 'api', le }, T + 600_000, c);
  }
  s.append({ __name__: 'temperature', room: 'x' }, T + 590_000, 21.5);
  return s;
}

const at = T + 600_000;
const q = (s: string, st = store()) => evaluateVector(parsePromql(s), st, at);

describe('PromQL subset', () => {
  it('rate() extrapolates like Prometheus and corrects counter resets', () => {
    const r = q('rate(http_requests_total{instance="a",code="200"}[5m])');
    expect(r).toHaveLength(1);
    expect(r[0]?.value).toBeCloseTo(10, 9);
    expect(r[0]?.labels).toEqual({ job: 'api', instance: 'a', code: '200' });
    // b reset at i=20 (2850 → 0): that step counts as an increase of 0, the others 150,
    // so 38·150 over the 585 s sampled, extrapolated to the 600 s range.
    expect(q('rate(http_requests_total{instance="b"}[10m])')[0]?.value).toBeCloseTo(5700 / 585, 9);
    expect(q('increase(http_requests_total{instance="a",code="500"}[5m])')[0]?.value).toBeCloseTo(300, 6);
  });

  it('aggregates with by/without in either position and divides matching vectors', () => {
    const ratio = q(
      'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) by (job)',
    );
    expect(ratio).toEqual([{ labels: { job: 'api' }, value: expect.closeTo(15 / 315, 9) }]);
    expect(q('count without (code, instance) (http_requests_total)')).toEqual([
      { labels: { job: 'api' }, value: 3 },
    ]);
    expect(q('topk(1, http_requests_total)')[0]?.labels.instance).toBe('a');
  });

  it('compares with and without bool, filters with and/or/unless, matches on()', () => {
    expect(q('temperature > 20')).toEqual([{ labels: { __name__: 'temperature', room: 'x' }, value: 21.5 }]);
    expect(q('temperature > 30')).toEqual([]);
    expect(q('temperature > bool 30')).toEqual([{ labels: { room: 'x' }, value: 0 }]);
    expect(q('1 - 0.25 * 2 ^ 2')).toEqual([{ labels: {}, value: 0 }]);
    expect(q('-2 ^ 2')).toEqual([{ labels: {}, value: -4 }]);
    const both = q('sum(rate(http_requests_total[5m])) > 20 and on() vector(1)');
    expect(both).toHaveLength(1);
    expect(q('vector(1) unless on() absent(nothing)')).toEqual([]);
    expect(q('absent(nothing) or vector(2)')).toEqual([{ labels: {}, value: 1 }]);
  });

  it('histogram_quantile interpolates inside the bucket', () => {
    expect(q('histogram_quantile(0.9, latency_seconds_bucket)')[0]?.value).toBeCloseTo(
      0.25 + 0.25 * (10 / 15),
      9,
    );
    expect(q('histogram_quantile(0.999, latency_seconds_bucket)')[0]?.value).toBe(1);
  });

  it('honours the 5-minute lookback and offset', () => {
    expect(q('temperature offset 10m')).toEqual([]);
    expect(evaluateVector(parsePromql('temperature'), store(), at + 301_000)).toEqual([]);
    expect(evaluate(parsePromql('time()'), store(), at)).toEqual({ type: 'scalar', value: at / 1000 });
  });

  it('rejects what it does not support with the position', () => {
    expect(() => parsePromql('rate(x[5m:1m])')).toThrow(/position/);
    expect(() => parsePromql('a / on(x) group_left b')).toThrow(
      /group_left .* not in the supported PromQL subset/,
    );
    expect(() => parsePromql('label_join(x)')).toThrow(/unknown or unsupported function "label_join"/);
    expect(() => parsePromql('sum(x')).toThrow(/expected "\)", found end of expression/);
    expect(() => parsePromql('x{a=~"("}')).toThrow(/invalid regular expression/);
    expect(() => q('1 > 2')).toThrow(/bool modifier/);
  });
});
