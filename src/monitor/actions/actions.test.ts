import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import { ManualClock } from '../../core/clock.js';
import type { RunEvent } from '../../core/event.js';
import { type Alert, fingerprint } from '../alert.js';
import { actionRegistry } from './registry.js';
import { Responder, type ResponseConfig } from './responder.js';

const dir = mkdtempSync(join(tmpdir(), 'shakedown-actions-'));
writeFileSync(join(dir, 'token'), 's3cret\n');
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const labels = { alertname: 'Slow', service: 'checkout', instance: 'checkout-2' };
const firing: Alert = {
  labels,
  annotations: {},
  status: 'firing',
  value: 0.99,
  startsAtMs: 0,
  group: 'g',
  kind: 'anomaly',
  fingerprint: fingerprint(labels),
};

function responder(configs: ResponseConfig[], clock = new ManualClock(1_000)) {
  const events: RunEvent[] = [];
  const r = new Responder(
    configs,
    actionRegistry(),
    { clock, baseDir: dir },
    { emit: (e) => events.push(e) },
  );
  return { r, events, clock };
}

describe('actions', () => {
  it('command: runs an argument array with the alert in args and environment, records the outcome', async () => {
    const out = join(dir, 'cmd.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({argv: process.argv.slice(1), alert: JSON.parse(process.env.SHAKEDOWN_ALERT).labels}))`;
    const { r, events } = responder([
      {
        alert: 'Slow',
        on: 'firing',
        cooldownMs: 60_000,
        run: {
          type: 'command',
          argv: [process.execPath, '-e', script, '{{ $labels.instance }}', '; rm -rf /'],
        },
      },
    ]);
    r.handle([firing], new AbortController().signal);
    r.handle([firing], new AbortController().signal); // within cooldown: not run again
    await r.drain();
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.argv).toEqual(['checkout-2', '; rm -rf /']); // no shell: passed verbatim
    expect(got.alert.service).toBe('checkout');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'action.succeeded',
      source: 'watch',
      subject: 'Slow',
      data: { action: 'command', on: 'firing' },
    });
  });

  it('command: a failing or hanging program is a failed action with the reason', async () => {
    const { r, events } = responder([
      {
        on: 'firing',
        cooldownMs: 0,
        run: { type: 'command', argv: [process.execPath, '-e', 'process.exit(3)'] },
      },
      {
        on: 'firing',
        cooldownMs: 0,
        run: {
          type: 'command',
          argv: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'],
          timeout: '200ms',
        },
      },
      { on: 'firing', cooldownMs: 0, run: { type: 'command', argv: ['/nonexistent/tool'] } },
    ]);
    r.handle([firing], new AbortController().signal);
    await r.drain();
    const details = events.map((e) => `${e.kind} ${String(e.data.detail)}`).sort();
    expect(details[0]).toMatch(/action.failed .*\/nonexistent\/tool: spawn .*ENOENT/);
    expect(details.some((d) => /exited 3/.test(d))).toBe(true);
    expect(details.some((d) => /killed by SIGTERM/.test(d))).toBe(true);
  });

  it('scale: POSTs to the admin API with the bearer token from the token file', async () => {
    const seen: Array<{ url: string; auth: string | undefined; body: string }> = [];
    server = await startTestServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
        res.statusCode = req.headers.authorization === 'Bearer s3cret' ? 200 : 401;
        res.end('{"ok":true}');
      });
    });
    const { r, events } = responder([
      {
        alert: 'Slow',
        on: 'firing',
        cooldownMs: 0,
        run: { type: 'scale', adminUrl: server.url, tokenFile: 'token', service: 'checkout', replicas: 4 },
      },
      {
        alert: 'Slow',
        on: 'firing',
        cooldownMs: 0,
        run: {
          type: 'restart-replica',
          adminUrl: server.url,
          tokenFile: 'token',
          service: 'checkout',
          replica: '{{ $labels.instance }}',
        },
      },
      {
        alert: 'Slow',
        on: 'firing',
        cooldownMs: 0,
        run: { type: 'rollback', adminUrl: server.url, tokenFile: 'missing-token', rollout: 'checkout' },
      },
    ]);
    r.handle([firing], new AbortController().signal);
    await r.drain();
    expect(seen.map((s) => s.url).sort()).toEqual([
      '/v1/services/checkout/replicas/checkout-2/restart',
      '/v1/services/checkout/scale',
    ]);
    expect(seen.every((s) => s.auth === 'Bearer s3cret')).toBe(true);
    expect(seen.find((s) => s.url.endsWith('/scale'))?.body).toBe('{"replicas":4}');
    const failed = events.filter((e) => e.kind === 'action.failed');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]?.data.detail)).toMatch(/cannot read token file missing-token: ENOENT/);
  });

  it('responds to resolved alerts only when asked, and matches labels', async () => {
    const { r, events } = responder([
      {
        match: { service: 'cart' },
        on: 'firing',
        cooldownMs: 0,
        run: { type: 'command', argv: [process.execPath, '-e', ''] },
      },
    ]);
    r.handle([firing, { ...firing, status: 'resolved' }], new AbortController().signal);
    await r.drain();
    expect(events).toEqual([]);
  });
});
