import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisMetricSpec, RolloutSpec } from '../../src/delivery/model.js';
import { runRollout } from '../../src/delivery/run-rollout.js';
import { type Daemon, startAlertmanager, startPrometheus } from '../helpers/daemons.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { loadUntil, type RolloutPlatform, startRolloutPlatform } from '../helpers/rollout.js';

// The analysis providers against real peers — a real Prometheus scraping the mesh's
// /metrics, a web check, a command — with header routing and mirroring on the way, and a
// progress deadline that aborts, notified to a webhook and a real Alertmanager.
let p: RolloutPlatform | undefined;
let alertmanager: Daemon;
let hook: TestServer;
const hooked: unknown[] = [];

beforeAll(async () => {
  alertmanager = await startAlertmanager();
  hook = await startTestServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      hooked.push(JSON.parse(body));
      res.end();
    });
  });
});
afterAll(async () => {
  await alertmanager?.stop();
  await hook?.close();
});
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

const metric = (
  over: Partial<AnalysisMetricSpec> & Pick<AnalysisMetricSpec, 'name' | 'provider'>,
): AnalysisMetricSpec => ({
  intervalMs: 2000,
  count: 1,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  noData: 'fail',
  ...over,
});

const base = (over: Partial<RolloutSpec>): RolloutSpec => ({
  service: 'api',
  version: 'v2',
  strategy: { type: 'canary', steps: [] },
  progressDeadlineMs: 30_000,
  scaleDownDelayMs: 300,
  abortScaleDownDelayMs: 300,
  notifiers: [],
  ...over,
});

describe('analysis providers and traffic steps on the local platform', () => {
  it('Prometheus, web and command checks pass; header route and mirror reach v2 and are removed at promotion', async () => {
    p = await startRolloutPlatform();
    const prom: Daemon = await startPrometheus([new URL(p.platform.adminUrl as string).host]);
    const stop = new AbortController();
    const load = loadUntil(`${p.url}/`, '100/s', stop.signal);
    const seen: Record<string, string> = {};
    try {
      const run = await runRollout(
        p.platform,
        base({
          strategy: {
            type: 'canary',
            steps: [
              { kind: 'setHeaderRoute', match: { header: 'x-canary', equals: '1' } },
              { kind: 'setMirror', fraction: 1 },
              { kind: 'setWeight', weight: 50 },
              {
                kind: 'analysis',
                analysis: {
                  name: 'checks',
                  metrics: [
                    metric({
                      name: 'prom-rate',
                      initialDelayMs: 4000,
                      provider: {
                        type: 'prometheus',
                        url: prom.url,
                        query:
                          'sum(rate(shakedown_mesh_requests_total{service="{{service}}",version="{{canary}}"}[5s]))',
                        timeout: 5000,
                      },
                      successCondition: '> 10',
                    }),
                    metric({
                      name: 'web',
                      provider: {
                        type: 'web',
                        url: `${p.url}/`,
                        method: 'GET',
                        headers: { 'x-canary': '1' },
                        jsonPath: 'id',
                        timeout: 2000,
                        allowRemote: false,
                      },
                      successCondition: '== "api-v2-0"',
                    }),
                    metric({
                      name: 'command',
                      provider: {
                        type: 'command',
                        argv: [
                          process.execPath,
                          '-e',
                          'process.exit(process.argv[1] === "v2" ? 0 : 1)',
                          '{{canary}}',
                        ],
                        timeout: 5000,
                      },
                    }),
                  ],
                },
              },
            ],
          },
        }),
        {
          windowLagMs: 1200,
          onController: (c) => {
            // While mirroring (step 2 on), look at routing and the mirror count once.
            const t = setInterval(async () => {
              if (c.status().step < 3 || seen.done) return;
              seen.done = '1';
              clearInterval(t);
              const st = (await p?.platform.mesh?.state())?.services.find((s) => s.name === 'api');
              seen.routing = JSON.stringify({ overrides: st?.overrides, mirror: st?.mirror });
              const r = await request(`${p?.url}/`, { headers: { 'x-canary': '1' } });
              seen.header = String(((await r.body.json()) as { id: string }).id);
            }, 200);
          },
        },
      );
      expect(run.status.analyses[0], JSON.stringify(run.status.analyses)).toMatchObject({
        phase: 'successful',
      });
      expect(run.ok).toBe(true);
      const measured = run.events
        .filter((e) => e.kind === 'analysis.measurement')
        .map((e) => [e.data.metric, e.data.phase]);
      expect(measured).toEqual(
        expect.arrayContaining([
          ['prom-rate', 'successful'],
          ['web', 'successful'],
          ['command', 'successful'],
        ]),
      );
      expect(JSON.parse(seen.routing as string)).toEqual({
        overrides: [{ header: 'x-canary', equals: '1', version: 'v2' }],
        mirror: { version: 'v2', fraction: 1 },
      });
      expect(seen.header).toBe('api-v2-0');
      const st = (await p.platform.mesh?.state())?.services.find((s) => s.name === 'api');
      expect(st?.overrides).toEqual([]);
      expect(st?.mirror).toBeNull();
      expect(st?.versions.find((v) => v.version === 'v2')?.mirrored).toBeGreaterThan(0);
    } finally {
      stop.abort();
      await load;
      await prom.stop();
    }
  });

  it('a version not ready within the progress deadline is aborted and notified (webhook, Alertmanager)', async () => {
    p = await startRolloutPlatform({ v2Env: { READY_DELAY_MS: '20000' } });
    const run = await runRollout(
      p.platform,
      base({
        progressDeadlineMs: 1500,
        strategy: { type: 'canary', steps: [{ kind: 'setWeight', weight: 50 }] },
        notifiers: [
          { type: 'webhook', url: `${hook.url}/hook` },
          { type: 'alertmanager', url: alertmanager.url },
        ],
      }),
    );
    expect(run.status).toMatchObject({ phase: 'aborted', abortedBy: 'deadline', weight: 0, step: -1 });
    expect(run.status.abortReason).toBe('progress deadline exceeded (1.5 s)');
    expect(await p.platform.mesh?.weights('api')).toEqual({ v1: 100, v2: 0 });
    expect(hooked).toHaveLength(1);
    expect(hooked[0]).toMatchObject({
      version: '4',
      status: 'firing',
      commonLabels: {
        alertname: 'RolloutAborted',
        service: 'api',
        version: 'v2',
        stable: 'v1',
        by: 'deadline',
      },
    });
    const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as Array<{
      labels: Record<string, string>;
    }>;
    expect(alerts.map((a) => a.labels.alertname)).toContain('RolloutAborted');
  });
});
