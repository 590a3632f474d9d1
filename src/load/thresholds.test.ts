import { describe, expect, it } from 'vitest';
import { ShakedownError } from '../core/errors.js';
import { compare, evaluateThresholds, parseThreshold } from './thresholds.js';

const t = (metric: string, expr: string) => ({ metric, expr, abortOnFail: false, delayAbortEvalMs: 0 });

describe('parseThreshold', () => {
  it('parses k6 expressions with filters', () => {
    const p = parseThreshold(t('http_req_duration{scenario:browse,zone:eu}', 'p(99.9) <= 250'));
    expect(p).toMatchObject({
      metric: 'http_req_duration',
      kind: 'trend',
      filter: { scenario: 'browse', zone: 'eu' },
      aggregation: 'p',
      percentile: 99.9,
      op: '<=',
      bound: 250,
    });
    expect(parseThreshold(t('http_req_failed', 'rate<0.01'))).toMatchObject({
      aggregation: 'rate',
      bound: 0.01,
    });
    expect(parseThreshold(t('dropped_iterations', 'count<1'))).toMatchObject({ aggregation: 'count' });
    expect(parseThreshold(t('http_req_duration{name:home}', 'med<5')).filter).toEqual({ request: 'home' });
    expect(parseThreshold(t('checks', 'rate>0.99')).op).toBe('>');
  });

  it.each([
    ['http_req_duration', 'p99<250', 'malformed expression'],
    ['http_req_duraton', 'p(99)<250', 'unknown metric "http_req_duraton"'],
    ['http_req_failed', 'avg<1', 'rate metric and has no "avg"'],
    ['http_req_duration{color:red}', 'avg<1', 'bad tag filter'],
    ['http_req_duration', 'p(0)<1', 'outside (0, 100]'],
    ['http_req_duration', 'avg<', 'malformed expression'],
  ])('rejects %s: %s', (metric, expr, why) => {
    try {
      parseThreshold(t(metric, expr));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ShakedownError);
      expect((e as ShakedownError).exitCode).toBe(2);
      expect((e as Error).message).toContain(why);
      expect((e as Error).message).toContain(`"${metric}: ${expr}"`);
    }
  });
});

describe('evaluateThresholds', () => {
  it('compares values and reports them', () => {
    const parsed = [
      parseThreshold(t('http_req_duration', 'p(99)<250')),
      parseThreshold(t('http_req_failed', 'rate<0.01')),
    ];
    const values: Record<string, number> = { http_req_duration: 300, http_req_failed: 0.001 };
    const r = evaluateThresholds(parsed, { value: (p) => values[p.metric] });
    expect(r).toEqual([
      { metric: 'http_req_duration', expr: 'p(99)<250', ok: false, value: 300, abortOnFail: false },
      { metric: 'http_req_failed', expr: 'rate<0.01', ok: true, value: 0.001, abortOnFail: false },
    ]);
  });

  it('passes on no data unless a filter matched nothing', () => {
    const parsed = [
      parseThreshold(t('checks', 'rate>0.99')),
      parseThreshold(t('http_req_duration{scenario:typo}', 'avg<1')),
    ];
    const r = evaluateThresholds(parsed, { value: () => undefined });
    expect(r.map((x) => x.ok)).toEqual([true, false]);
    expect(r[1]?.value).toBeNull();
  });

  it('implements every comparator', () => {
    expect(compare(1, '<', 2)).toBe(true);
    expect(compare(2, '<=', 2)).toBe(true);
    expect(compare(3, '>', 2)).toBe(true);
    expect(compare(2, '>=', 3)).toBe(false);
    expect(compare(2, '==', 2)).toBe(true);
    expect(compare(2, '===', 2)).toBe(true);
    expect(compare(2, '!=', 2)).toBe(false);
  });
});
