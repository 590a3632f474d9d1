import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import { ManualClock } from '../../core/clock.js';
import { createLogger } from '../../core/logger.js';
import { type Alert, fingerprint } from '../alert.js';
import { notifierRegistry } from './registry.js';

// Real HTTP servers on loopback stand in for webhook receivers; the real Alertmanager is
// exercised end to end in test/e2e/watch.test.ts.
const received: Array<{ url: string; body: unknown }> = [];
let server: TestServer | undefined;

async function receiver(): Promise<TestServer> {
  server = await startTestServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(body) });
      res.end('{}');
    });
  });
  return server;
}

afterEach(async () => {
  received.length = 0;
  await server?.close();
  server = undefined;
});

function alert(status: 'firing' | 'resolved', extra: Partial<Alert> = {}): Alert {
  const labels = { alertname: 'HighLatency', service: 'checkout', severity: 'page' };
  return {
    labels,
    annotations: { summary: 'p99 is high' },
    status,
    value: 0.97,
    startsAtMs: Date.UTC(2026, 0, 1, 12),
    ...(status === 'resolved' ? { endsAtMs: Date.UTC(2026, 0, 1, 12, 5) } : {}),
    group: 'g',
    kind: 'anomaly',
    fingerprint: fingerprint(labels),
    ...extra,
  };
}

const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
const ctx = {
  clock,
  log: createLogger({ level: 'error' }),
  out: { write: () => true },
  evaluationIntervalMs: 1000,
};
const registry = notifierRegistry();
const build = (config: Record<string, unknown>) => {
  const p = registry.get(String(config.type));
  return p.create(p.schema.parse(config), ctx);
};

describe('notifiers', () => {
  it('webhook: POSTs Alertmanager’s v4 payload', async () => {
    const s = await receiver();
    await build({ type: 'webhook', url: `${s.url}/hook` }).notify([
      alert('firing'),
      alert('firing', { labels: { alertname: 'HighLatency', service: 'cart', severity: 'page' } }),
    ]);
    expect(received).toHaveLength(1);
    const body = received[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'shakedown',
      groupLabels: { alertname: 'HighLatency' },
      commonLabels: { alertname: 'HighLatency', severity: 'page' },
      commonAnnotations: { summary: 'p99 is high' },
      truncatedAlerts: 0,
    });
    const alerts = body.alerts as Array<Record<string, unknown>>;
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      startsAt: '2026-01-01T12:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect(alerts[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('alertmanager: sends on firing, re-sends after resendDelay, resolves with endsAt', async () => {
    const s = await receiver();
    const n = build({ type: 'alertmanager', url: s.url, resendDelay: '30s' });
    await n.notify([alert('firing')]);
    await n.tick?.([alert('firing')]); // too soon: nothing
    clock.advance(30_000);
    await n.tick?.([alert('firing')]);
    await n.notify([alert('resolved')]);
    expect(received.map((r) => r.url)).toEqual(['/api/v2/alerts', '/api/v2/alerts', '/api/v2/alerts']);
    const [first, again, resolved] = received.map((r) => (r.body as Array<Record<string, unknown>>)[0]);
    expect(first).toMatchObject({
      labels: { alertname: 'HighLatency' },
      startsAt: '2026-01-01T12:00:00.000Z',
    });
    // Valid for 4 × resendDelay, so Alertmanager resolves it if Shakedown dies.
    expect(first?.endsAt).toBe('2026-01-01T12:02:00.000Z');
    expect(again?.endsAt).toBe('2026-01-01T12:02:30.000Z');
    expect(resolved?.endsAt).toBe('2026-01-01T12:05:00.000Z');
  });

  it('fails with the URL and status when the receiver refuses', async () => {
    server = await startTestServer((_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    await expect(build({ type: 'webhook', url: server.url }).notify([alert('firing')])).rejects.toThrow(
      /HTTP 503 down/,
    );
  });

  it('console: one line per change', async () => {
    const lines: string[] = [];
    const p = registry.get('console');
    await p
      .create(p.schema.parse({ type: 'console' }), { ...ctx, out: { write: (s: string) => lines.push(s) } })
      .notify([alert('firing'), alert('resolved')]);
    expect(lines[0]).toMatch(
      /^2026-01-01T12:00:00.000Z FIRING {3}HighLatency\{service="checkout", severity="page"\} — p99 is high\n$/,
    );
    expect(lines[1]).toMatch(/RESOLVED HighLatency/);
  });

  it('rejects unknown types and bad settings', () => {
    expect(() => registry.get('pager')).toThrow(/unknown notifier "pager"/);
    expect(registry.get('webhook').schema.safeParse({ type: 'webhook', url: 'nope' }).success).toBe(false);
  });
});
