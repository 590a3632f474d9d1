import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import { ManualClock } from '../../core/clock.js';
import type { RunEvent } from '../../core/event.js';
import { scalingSchema } from '../../spec/sections/watch.js';
import { actionRegistry } from '../actions/registry.js';
import { MemorySeriesStore } from '../tsdb.js';
import { ServiceScaler } from './scaler.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ServiceScaler', () => {
  it('applies a changed replica count through the scale action ahead of a rising rate, and records it', async () => {
    const calls: Array<{ url: string; body: string; auth: string | undefined }> = [];
    server = await startTestServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        calls.push({ url: req.url ?? '', body, auth: req.headers.authorization });
        res.end('{}');
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-scaler-'));
    writeFileSync(join(dir, 'token'), 'tok');
    const config = scalingSchema.parse({
      service: 'shop',
      rate: 'shop_rps',
      targetPerReplica: 10,
      headroom: 0,
      season: '20s', // a compressed "day" of 20 points
      leadTime: '5s',
      stabilization: '1s',
      act: { type: 'scale', adminUrl: server.url, tokenFile: 'token', service: 'shop' },
    });
    const clock = new ManualClock(1_000_000);
    const store = new MemorySeriesStore();
    const events: RunEvent[] = [];
    const scaler = new ServiceScaler(
      config,
      store,
      clock,
      { emit: (e) => events.push(e) },
      actionRegistry(),
      { clock, baseDir: dir },
    );
    const signal = new AbortController().signal;
    // Three compressed days: 10 req/s at night, 100 req/s peak from second 12 to 16 of each day.
    for (let s = 0; s < 60; s++) {
      clock.advance(1000);
      const phase = s % 20;
      store.append({ __name__: 'shop_rps' }, clock.now(), phase >= 12 && phase < 16 ? 100 : 10);
      await scaler.step(clock.now(), signal);
    }
    const scaled = events.filter((e) => e.kind === 'scaling.scaled');
    expect(scaled.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.url === '/v1/services/shop/scale' && c.auth === 'Bearer tok')).toBe(true);
    // On the third day the scale-up to 10 replicas is requested before the rate rises (second 52).
    const up = scaled.find((e) => (e.data.to as number) >= 10 && e.t > 1_000_000 + 40_000);
    expect(up).toBeDefined();
    expect((up as RunEvent).t).toBeLessThan(1_000_000 + 53_000);
    expect(calls.some((c) => JSON.parse(c.body).replicas >= 10)).toBe(true);
  });
});
