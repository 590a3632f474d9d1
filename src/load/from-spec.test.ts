import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../spec/load-spec.js';
import { loadConfigFromSpec } from './from-spec.js';
import { targetAt } from './stages.js';

function config(yaml: string) {
  const { spec } = parseSpecText(yaml);
  if (!spec.load) throw new Error('no load section');
  return loadConfigFromSpec(spec.load, { baseDir: process.cwd(), workers: 1, seed: 1 });
}

describe('loadConfigFromSpec', () => {
  it('resolves relative URLs, JSON bodies and threshold objects', () => {
    const c = config(`
load:
  baseUrl: http://127.0.0.1:9000/
  thresholds:
    http_req_duration: ["p(99)<250", { threshold: "avg<100", abortOnFail: true, delayAbortEval: 10s }]
  scenarios:
    a:
      executor: constant-vus
      vus: 2
      duration: 5s
      requests:
        - { url: /x, method: POST, body: { user: "{{vu}}" } }
`);
    const r = c.scenarios[0]?.requests[0];
    expect(r).toMatchObject({
      url: 'http://127.0.0.1:9000/x',
      body: '{"user":"{{vu}}"}',
      bodyIsJson: true,
      name: 'POST /x',
    });
    expect(c.thresholds).toEqual([
      { metric: 'http_req_duration', expr: 'p(99)<250', abortOnFail: false, delayAbortEvalMs: 0 },
      { metric: 'http_req_duration', expr: 'avg<100', abortOnFail: true, delayAbortEvalMs: 10_000 },
    ]);
  });

  it('converts k6 rates per timeUnit and expands shapes into stages', () => {
    const c = config(`
load:
  baseUrl: http://127.0.0.1:9000
  scenarios:
    r:
      executor: ramping-arrival-rate
      startRate: 60
      timeUnit: 1m
      stages: [{ duration: 10s, target: 600 }]
      requests: [{ url: / }]
    c:
      executor: constant-arrival-rate
      rate: 30/m
      duration: 1m
      requests: [{ url: / }]
    s:
      executor: ramping-vus
      shape: { type: spike, base: 10, peak: 100, before: 5s, hold: 5s, after: 5s }
      requests: [{ url: / }]
`);
    const [r, cst, s] = c.scenarios;
    expect(r).toMatchObject({ startRatePerSec: 1, stages: [{ durationMs: 10_000, target: 10 }] });
    expect(cst).toMatchObject({ ratePerSec: 0.5, preAllocatedVUs: 10, maxVUs: 10 });
    if (s?.executor !== 'ramping-vus') throw new Error('narrowing');
    expect(targetAt(s.startVUs, s.stages, 2000)).toBe(10);
    expect(targetAt(s.startVUs, s.stages, 12_000)).toBe(100);
  });

  it('rejects relative URLs without a baseUrl, undefined zones and stages+shape', () => {
    expect(() =>
      config(
        'load:\n  scenarios:\n    a: { executor: constant-vus, vus: 1, duration: 1s, requests: [{ url: /x }] }\n',
      ),
    ).toThrow(/relative URL "\/x" but load.baseUrl is not set/);
    expect(() =>
      config(
        'load:\n  baseUrl: http://127.0.0.1:1\n  scenarios:\n    a: { executor: constant-vus, vus: 1, duration: 1s, zones: [mars], requests: [{ url: /x }] }\n',
      ),
    ).toThrow(/zone "mars"/);
    expect(() =>
      config(
        'load:\n  baseUrl: http://127.0.0.1:1\n  scenarios:\n    a: { executor: ramping-vus, stages: [{duration: 1s, target: 1}], shape: { type: ramp, target: 1, rampUp: 1s, hold: 1s }, requests: [{ url: /x }] }\n',
      ),
    ).toThrow(/both stages and shape/);
  });
});
