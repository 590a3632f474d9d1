import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import type { RunEvent } from '../../core/event.js';
import { createLogger } from '../../core/logger.js';
import { parseSpecText } from '../../spec/load-spec.js';
import type { AlertChange } from '../rules/engine.js';
import { parseExposition } from '../sources/exposition.js';
import { Watcher } from './watcher.js';

// In-process watch over real sockets: a prom-client /metrics endpoint, a webhook
// receiver, a command action and predictive scaling with its gauges on /metrics.
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Watcher', () => {
  it('scrapes, alerts, notifies a webhook, runs the response, and exports the forecast', async () => {
    const reg = new Registry();
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'requests',
      labelNames: ['service', 'code'],
      registers: [reg],
    });
    const app = await startTestServer(async (_req, res) => res.end(await reg.metrics()));
    const hooks: unknown[] = [];
    const hook = await startTestServer((req: IncomingMessage, res) => {
      let b = '';
      req.on('data', (d) => {
        b += d;
      });
      req.on('end', () => {
        hooks.push(JSON.parse(b));
        res.end();
      });
    });
    servers.push(app, hook);
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-watcher-'));
    const marker = join(dir, 'responded');
    const { spec } = parseSpecText(
      `
version: 1
watch:
  interval: 200ms
  sources:
    - { type: scrape, name: shop, url: "${app.url}/metrics", interval: 200ms }
  rules:
    groups:
      - name: errors
        rules:
          - alert: ErrorsSeen
            expr: sum by (service) (rate(http_requests_total{code="500"}[2s])) > 0
            annotations: { summary: "{{ $labels.service }} fails" }
  notifiers:
    - { type: webhook, url: "${hook.url}/hook" }
  actions:
    - alert: ErrorsSeen
      run: { type: command, argv: ["${process.execPath}", "-e", "require('fs').writeFileSync(process.argv[1], 'x')", "${marker}"] }
  scaling:
    - service: shop
      rate: sum(rate(http_requests_total{service="shop"}[1s]))
      targetPerReplica: 20
      season: 2s
      leadTime: 1s
      stabilization: 1s
  metricsListen: 127.0.0.1:0
`,
      'watch.yaml',
      dir,
    );
    const alerts: AlertChange[] = [];
    const events: RunEvent[] = [];
    const w = new Watcher({
      section: spec.watch as NonNullable<typeof spec.watch>,
      baseDir: dir,
      log: createLogger({ level: 'error' }),
      out: { write: () => true },
      onAlert: (c) => alerts.push(c),
      onEvent: (e) => events.push(e),
    });
    const stop = new AbortController();
    // 100 req/s of good traffic; errors between 1.5 s and 2.5 s.
    const started = Date.now();
    const traffic = setInterval(() => {
      requests.inc({ service: 'shop', code: '200' }, 10);
      const t = Date.now() - started;
      if (t > 1500 && t < 2500) requests.inc({ service: 'shop', code: '500' }, 2);
    }, 100);
    const running = w.run(stop.signal);
    await new Promise((r) => setTimeout(r, 4500));
    const metricsText = w.metricsUrl ? await (await fetch(w.metricsUrl)).text() : '';
    stop.abort();
    await running;
    clearInterval(traffic);

    const kinds = alerts.map((a) => `${a.alert.labels.alertname}:${a.type}`);
    expect(kinds).toContain('ErrorsSeen:firing');
    expect(alerts.find((a) => a.type === 'firing')?.alert.annotations.summary).toBe('shop fails');
    expect((hooks[0] as { status: string; alerts: unknown[] }).status).toBe('firing');
    expect(readFileSync(marker, 'utf8')).toBe('x');
    expect(events.some((e) => e.kind === 'action.succeeded' && e.subject === 'ErrorsSeen')).toBe(true);
    expect(events.some((e) => e.kind === 'alert.firing')).toBe(true);
    // Scaling: 100 req/s at 20 per replica (10 % headroom) → 6 replicas, recommended.
    const scaled = events.filter((e) => e.kind === 'scaling.recommended');
    expect(scaled.length).toBeGreaterThan(0);
    expect(w.scalingStatus()[0]?.replicas).toBeGreaterThanOrEqual(5);
    const exported = parseExposition(metricsText).samples;
    expect(exported.find((s) => s.name === 'shakedown_recommended_replicas')?.labels).toEqual({
      service: 'shop',
    });
    expect(exported.find((s) => s.name === 'shakedown_forecast_rps')?.value).toBeGreaterThan(50);
  });
});
