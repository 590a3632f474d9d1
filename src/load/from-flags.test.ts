import { describe, expect, it } from 'vitest';
import { loadConfigFromFlags, parseStageFlag, parseThinkFlag, parseThresholdFlag } from './from-flags.js';

const url = 'http://127.0.0.1:8080/api';

describe('loadConfigFromFlags', () => {
  it('infers the executor from the flags, as k6 users expect', () => {
    const exec = (f: Parameters<typeof loadConfigFromFlags>[1]) =>
      loadConfigFromFlags(url, f).scenarios[0]?.executor;
    expect(exec({ vus: 10 })).toBe('constant-vus');
    expect(exec({ rate: '500/s' })).toBe('constant-arrival-rate');
    expect(exec({ rate: '10/s', stage: ['10s:100'] })).toBe('ramping-arrival-rate');
    expect(exec({ stage: ['30s:1000'] })).toBe('ramping-vus');
    expect(exec({ iterations: 100 })).toBe('shared-iterations');
    expect(exec({ executor: 'per-vu-iterations', iterations: 3, vus: 2 })).toBe('per-vu-iterations');
  });

  it('uses --vus as the pre-allocated pool and --max-vus defaulting to it', () => {
    const s = loadConfigFromFlags(url, { rate: '2000/s', duration: '20s', vus: 50 }).scenarios[0];
    expect(s).toMatchObject({
      executor: 'constant-arrival-rate',
      ratePerSec: 2000,
      durationMs: 20_000,
      preAllocatedVUs: 50,
      maxVUs: 50,
    });
    const t = loadConfigFromFlags(url, { rate: '100/s', vus: 5, maxVus: 20 }).scenarios[0];
    expect(t).toMatchObject({ preAllocatedVUs: 5, maxVUs: 20, maxQueue: 200 });
  });

  it('builds the request from the flags', () => {
    const r = loadConfigFromFlags(url, {
      method: 'post',
      header: ['X-A: 1', 'content-type: application/json'],
      body: '{}',
      expect: '200,201',
      timeout: '2s',
    }).scenarios[0]?.requests[0];
    expect(r).toMatchObject({
      method: 'POST',
      url,
      headers: { 'X-A': '1', 'content-type': 'application/json' },
      body: '{}',
      expect: [200, 201],
      timeoutMs: 2000,
    });
  });

  it('rejects what it cannot use, with the expected shape', () => {
    expect(() => loadConfigFromFlags('not a url', {})).toThrow(/invalid URL "not a url"/);
    expect(() => loadConfigFromFlags(url, { executor: 'fast' })).toThrow(/unknown executor "fast"/);
    expect(() => loadConfigFromFlags(url, { executor: 'constant-arrival-rate' })).toThrow(/needs --rate/);
    expect(() => loadConfigFromFlags(url, { executor: 'ramping-vus' })).toThrow(/needs at least one --stage/);
    expect(() => loadConfigFromFlags(url, { header: ['nocolon'] })).toThrow(/"Name: value"/);
    expect(() => loadConfigFromFlags(url, { expect: '2xx' })).toThrow(/invalid --expect/);
    expect(() => loadConfigFromFlags(url, { duration: '10' })).toThrow(/invalid --duration "10"/);
  });
});

describe('flag parsers', () => {
  it('parses stages, think times and thresholds', () => {
    expect(parseStageFlag('1m30s:1000')).toEqual({ durationMs: 90_000, target: 1000 });
    expect(() => parseStageFlag('1000')).toThrow(/duration:target/);
    expect(parseThinkFlag('1s')).toEqual({ type: 'constant', valueMs: 1000 });
    expect(parseThinkFlag('1s-3s')).toEqual({ type: 'uniform', minMs: 1000, maxMs: 3000 });
    expect(parseThinkFlag('exp:2s')).toEqual({ type: 'exponential', meanMs: 2000 });
    expect(() => parseThinkFlag('3s-1s')).toThrow(/minimum is above the maximum/);
    expect(parseThresholdFlag('http_req_failed: rate<0.01')).toMatchObject({
      metric: 'http_req_failed',
      expr: 'rate<0.01',
    });
    expect(parseThresholdFlag('http_req_duration{scenario:a}:p(99)<5')).toMatchObject({
      metric: 'http_req_duration{scenario:a}',
      expr: 'p(99)<5',
    });
    expect(parseThresholdFlag('p(95)<200')).toMatchObject({ metric: 'http_req_duration', expr: 'p(95)<200' });
  });
});
