import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.js';
import { runLoadTest } from './engine.js';
import type { LoadConfig, RequestConfig, ScenarioConfig } from './model.js';

// Real sockets against a real local server; the engine runs in-process (one worker).
let server: TestServer;
const seen: Array<{ path: string; user?: string; cookie?: string }> = [];

beforeAll(async () => {
  server = await startTestServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, user: req.headers['x-user'] as string, cookie: req.headers.cookie });
    if (path === '/fail') {
      res.statusCode = 503;
      return res.end('no');
    }
    if (path === '/missing') {
      res.statusCode = 404;
      return res.end('nope');
    }
    if (path === '/login') {
      res.setHeader('set-cookie', `sid=${Math.random().toString(36).slice(2)}; Path=/`);
      return res.end('{"ok":true}');
    }
    res.setHeader('content-type', 'application/json');
    res.end('{"items":[{"id":1}]}');
  });
});
afterAll(() => server.close());

function request(path: string, extra: Partial<RequestConfig> = {}): RequestConfig {
  return {
    name: path,
    weight: 1,
    method: 'GET',
    url: `${server.url}${path}`,
    headers: {},
    bodyIsJson: false,
    expect: [],
    checks: [],
    timeoutMs: 5000,
    ...extra,
  };
}

const base = {
  startTimeMs: 0,
  gracefulStopMs: 2000,
  think: { type: 'none' as const },
  cookies: true,
  zones: [],
};

function config(scenarios: ScenarioConfig[], extra: Partial<LoadConfig> = {}): LoadConfig {
  return { scenarios, zones: [], thresholds: [], workers: 1, seed: 1, allowRemote: false, ...extra };
}

describe('executors', () => {
  it('per-vu-iterations runs exactly vus × iterations', async () => {
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'p',
          executor: 'per-vu-iterations',
          vus: 5,
          iterations: 4,
          maxDurationMs: 10_000,
          requests: [request('/a')],
        },
      ]),
    );
    expect(summary.requests).toBe(20);
    expect(summary.vusMax).toBe(5);
    expect(summary.status).toBe('passed');
  });

  it('shared-iterations runs exactly the shared total', async () => {
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 's',
          executor: 'shared-iterations',
          vus: 3,
          iterations: 50,
          maxDurationMs: 10_000,
          requests: [request('/a')],
        },
      ]),
    );
    expect(summary.requests).toBe(50);
  });

  it('constant-arrival-rate starts exactly rate × duration iterations', async () => {
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'c',
          executor: 'constant-arrival-rate',
          ratePerSec: 100,
          durationMs: 2000,
          preAllocatedVUs: 5,
          maxVUs: 5,
          poisson: false,
          maxQueue: 100,
          requests: [request('/a')],
        },
      ]),
    );
    expect(summary.requests + summary.droppedIterations).toBe(200);
    expect(summary.droppedIterations).toBe(0);
  });

  it('ramping-arrival-rate integrates the ramp: 0 → 200/s over 2 s is 200 starts', async () => {
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'r',
          executor: 'ramping-arrival-rate',
          startRatePerSec: 0,
          stages: [{ durationMs: 2000, target: 200 }],
          preAllocatedVUs: 5,
          maxVUs: 20,
          poisson: false,
          maxQueue: 100,
          requests: [request('/a')],
        },
      ]),
    );
    expect(summary.requests).toBe(200);
    // Fewer starts in the first second than in the second: the rate ramps.
    const firsts = summary.windows.map((w) => w.rps);
    expect(firsts[0]).toBeLessThan(firsts[1] ?? 0);
  });

  it('ramping-vus follows the stages', async () => {
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'v',
          executor: 'ramping-vus',
          startVUs: 0,
          stages: [
            { durationMs: 1000, target: 8 },
            { durationMs: 1000, target: 8 },
            { durationMs: 500, target: 2 },
          ],
          gracefulRampDownMs: 1000,
          think: { type: 'constant', valueMs: 50 },
          requests: [request('/a')],
        },
      ]),
    );
    expect(summary.vus).toBe(8);
    expect(summary.windows[0]?.vus).toBeLessThanOrEqual(8);
    expect(summary.windows[1]?.vus).toBe(8);
    // 8 VUs × ~20 iterations/s during the hold.
    expect(summary.windows[1]?.rps).toBeGreaterThan(80);
  });

  it('constant-vus with think time paces each VU', async () => {
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'k',
          executor: 'constant-vus',
          vus: 2,
          durationMs: 1000,
          think: { type: 'constant', valueMs: 100 },
          requests: [request('/a')],
        },
      ]),
    );
    // Each VU: one request then 100 ms of thinking, for 1 s → about 10 each.
    expect(summary.requests).toBeGreaterThanOrEqual(14);
    expect(summary.requests).toBeLessThanOrEqual(22);
  });
});

describe('VUs', () => {
  it('picks requests by weight, classifies failures and honours expected statuses', async () => {
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'mix',
          executor: 'shared-iterations',
          vus: 4,
          iterations: 1000,
          maxDurationMs: 20_000,
          requests: [
            request('/a', { weight: 6 }),
            request('/fail', { weight: 3 }),
            request('/missing', { weight: 1, expect: [404] }),
          ],
        },
      ]),
    );
    const by = summary.byScenario.mix?.byRequest ?? {};
    expect(summary.requests).toBe(1000);
    expect((by['/a']?.requests ?? 0) / 1000).toBeCloseTo(0.6, 1);
    expect(by['/fail']?.errors).toBe(by['/fail']?.requests);
    expect(by['/missing']?.errors).toBe(0);
    expect(summary.errorsByClass.status5xx).toBe(by['/fail']?.requests);
    expect(summary.errors).toBe(summary.errorsByClass.status5xx);
  });

  it('counts connection failures as connect errors', async () => {
    const dead = await startTestServer();
    const url = dead.url;
    await dead.close();
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'dead',
          executor: 'per-vu-iterations',
          vus: 2,
          iterations: 3,
          maxDurationMs: 10_000,
          requests: [{ ...request('/'), url: `${url}/` }],
        },
      ]),
    );
    expect(summary.requests).toBe(6);
    expect(summary.errorsByClass.connect).toBe(6);
  });

  it('gives each VU its own data row and cookie jar', async () => {
    seen.length = 0;
    await runLoadTest(
      config([
        {
          ...base,
          name: 'users',
          executor: 'per-vu-iterations',
          vus: 3,
          iterations: 3,
          maxDurationMs: 10_000,
          data: {
            rows: [{ user: 'ann' }, { user: 'bob' }, { user: 'cy' }],
            mode: 'per-vu',
            order: 'sequential',
          },
          requests: [request('/login', { headers: { 'x-user': '{{user}}' } })],
        },
      ]),
    );
    const logins = seen.filter((s) => s.path === '/login');
    expect(logins).toHaveLength(9);
    for (const u of ['ann', 'bob', 'cy']) {
      const mine = logins.filter((s) => s.user === u);
      expect(mine).toHaveLength(3);
      // The first request of a VU has no cookie; later ones send the one the server set.
      expect(mine[0]?.cookie).toBeUndefined();
      expect(mine[1]?.cookie).toMatch(/^sid=/);
    }
    const cookies = new Set(logins.map((s) => s.cookie).filter(Boolean));
    expect(cookies.size).toBeGreaterThanOrEqual(3);
  });

  it('counts checks and breaks results down by zone with the zone latency added', async () => {
    const { summary } = await runLoadTest(
      config(
        [
          {
            ...base,
            name: 'z',
            executor: 'per-vu-iterations',
            vus: 10,
            iterations: 5,
            maxDurationMs: 10_000,
            requests: [
              request('/a', {
                checks: [
                  { name: 'ok', status: [200] },
                  { name: 'id', json: 'items.0.id', equals: 2 },
                ],
              }),
            ],
          },
        ],
        {
          zones: [
            { name: 'near', share: 0.5, latencyMs: 0, jitterMs: 0, loss: 0 },
            { name: 'far', share: 0.5, latencyMs: 60, jitterMs: 0, loss: 0 },
          ],
        },
      ),
    );
    expect(summary.checks.passed).toBe(50);
    expect(summary.checks.failed).toBe(50);
    expect(summary.checks.list.find((c) => c.check === 'id')?.fails).toBe(50);
    expect(summary.byZone.far?.latencyMs.p50).toBeGreaterThanOrEqual(60);
    expect(summary.byZone.near?.latencyMs.p50).toBeLessThan(60);
    expect((summary.byZone.far?.requests ?? 0) + (summary.byZone.near?.requests ?? 0)).toBe(50);
  });

  it('aborts on a failing abortOnFail threshold after its delay', async () => {
    const t0 = Date.now();
    const { summary, thresholdsFailed } = await runLoadTest(
      config(
        [
          {
            ...base,
            name: 'f',
            executor: 'constant-vus',
            vus: 2,
            durationMs: 20_000,
            requests: [request('/fail')],
          },
        ],
        {
          thresholds: [
            { metric: 'http_req_failed', expr: 'rate<0.5', abortOnFail: true, delayAbortEvalMs: 1000 },
          ],
        },
      ),
    );
    expect(thresholdsFailed).toBe(true);
    expect(summary.abortedBy).toBe('threshold');
    expect(summary.status).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(summary.thresholds[0]).toMatchObject({ ok: false, value: 1 });
  });

  it('stops on the signal and reports what was measured as aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1200);
    const { summary } = await runLoadTest(
      config([
        {
          ...base,
          name: 'x',
          executor: 'constant-vus',
          vus: 2,
          durationMs: 30_000,
          requests: [request('/a')],
        },
      ]),
      { signal: ac.signal },
    );
    expect(summary.status).toBe('aborted');
    expect(summary.abortedBy).toBe('interrupted');
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.durationS).toBeLessThan(5);
  });
});
