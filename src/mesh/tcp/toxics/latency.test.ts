import { describe, expect, it } from 'vitest';
import { useTcpFixture } from '../../../../test/helpers/tcp-fixture.js';
import { connectClient, within } from '../../../../test/helpers/tcp-peers.js';
import { createRandom } from '../../../core/random.js';
import { latencyDelayMs, latencyToxic, latencyWaitMs } from './latency.js';

const fx = useTcpFixture();

describe('latencyDelayMs', () => {
  it('is latency ± jitter, uniform, never negative', () => {
    const r = createRandom(3);
    const xs = Array.from({ length: 5000 }, () => latencyDelayMs(100, 20, r));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(80);
    expect(Math.max(...xs)).toBeLessThan(120);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(99);
    expect(mean).toBeLessThan(101);
    expect(xs.filter((x) => x < 90).length / xs.length).toBeCloseTo(0.25, 1);
    expect(latencyDelayMs(5, 50, createRandom(1))).toBeGreaterThanOrEqual(0);
    expect(latencyDelayMs(30, 0, r)).toBe(30);
  });
});

describe('latencyWaitMs', () => {
  it('counts the delay from when the chunk was due, not from now', () => {
    expect(latencyWaitMs(100, 1000, 1000)).toBe(100);
    expect(latencyWaitMs(100, 1000, 1040)).toBe(60);
    expect(latencyWaitMs(100, 1000, 1200)).toBe(0);
  });
});

describe('latency toxic', () => {
  it('schema requires latencyMs and accepts durations', () => {
    expect(latencyToxic.attributes.parse({ latencyMs: '1.5s' })).toEqual({ latencyMs: 1500, jitterMs: 0 });
    expect(() => latencyToxic.attributes.parse({})).toThrow();
  });

  it('adds at least the configured delay to a response', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'latency', attributes: { latencyMs: 120 } });
    const c = connectClient(proxy.address.port, { allowHalfOpen: true });
    await new Promise((r) => c.socket.once('connect', r));
    const t0 = performance.now();
    c.socket.write('ping');
    await c.waitForBytes(4);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(118);
    c.socket.destroy();
  });

  it('delays each chunk, not the queue: a stream keeps its pace', async () => {
    const server = await fx.server((s) => {
      // 20 chunks, 10 ms apart.
      let n = 0;
      const t = setInterval(() => {
        s.write(Buffer.alloc(100, n));
        if (++n === 20) {
          clearInterval(t);
          s.end();
        }
      }, 10);
    });
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'latency', attributes: { latencyMs: 100 } });
    const r = await within(connectClient(proxy.address.port).done, 3000, 'stream');
    expect(r.data.length).toBe(2000);
    expect(r.firstByteMs).toBeGreaterThanOrEqual(98);
    // Serial delays would take 20 × 100 ms; per-chunk delays take about 100 + 200 ms.
    expect(r.closeMs).toBeLessThan(900);
  });

  it('chained latencies add up', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ name: 'a', type: 'latency', attributes: { latencyMs: 60 } });
    proxy.addToxic({ name: 'b', type: 'latency', attributes: { latencyMs: 60 } });
    const c = connectClient(proxy.address.port);
    await new Promise((r) => c.socket.once('connect', r));
    const t0 = performance.now();
    c.socket.write('x');
    await c.waitForBytes(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(118);
    c.socket.destroy();
  });
});
