import { Counter, Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { evaluateVector } from '../../src/monitor/promql/evaluate.js';
import { parsePromql } from '../../src/monitor/promql/parser.js';
import { parseExposition } from '../../src/monitor/sources/exposition.js';
import { PrometheusApi } from '../../src/monitor/sources/prometheus-api.js';
import { sourceRegistry } from '../../src/monitor/sources/registry.js';
import { MemorySeriesStore } from '../../src/monitor/tsdb.js';
import { type Daemon, startPrometheus } from '../helpers/daemons.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

// A real Prometheus (Debian package) scrapes a local /metrics endpoint every second;
// Shakedown queries it through the HTTP API and scrapes the same endpoint itself.
const reg = new Registry();
const orders = new Counter({ name: 'orders_total', help: 'orders', labelNames: ['shop'], registers: [reg] });
const queue = new Gauge({ name: 'queue_depth', help: 'depth', registers: [reg] });
let app: TestServer;
let prom: Daemon;
let ticker: NodeJS.Timeout;

beforeAll(async () => {
  app = await startTestServer(async (_req, res) => {
    res.setHeader('content-type', reg.contentType);
    res.end(await reg.metrics());
  });
  // 20 orders per second, queue depth 7.
  ticker = setInterval(() => orders.inc({ shop: 'eu' }, 2), 100);
  queue.set(7);
  prom = await startPrometheus([`127.0.0.1:${app.port}`]);
});

afterAll(async () => {
  clearInterval(ticker);
  await prom?.stop();
  await app?.close();
});

async function waitFor<T>(f: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('against a real Prometheus server', () => {
  it('query_range returns the scraped series with their labels', async () => {
    const api = new PrometheusApi(prom.url);
    const series = await waitFor(async () => {
      const now = Date.now();
      const s = await api.query(
        { expr: 'orders_total' },
        { startMs: now - 10_000, endMs: now, stepMs: 1000 },
      );
      return s[0] && s[0].samples.length >= 4 ? s : undefined;
    }, 'four scrapes of orders_total');
    expect(series[0]?.labels).toMatchObject({
      __name__: 'orders_total',
      shop: 'eu',
      job: 'test',
      instance: `127.0.0.1:${app.port}`,
    });
    const vs = series[0]?.samples.map((p) => p.v) ?? [];
    for (let i = 1; i < vs.length; i++) expect(vs[i]).toBeGreaterThanOrEqual(vs[i - 1] as number);
    const now = Date.now();
    const [rate] = await api.query(
      { expr: 'rate(orders_total[5s])' },
      { startMs: now - 2000, endMs: now, stepMs: 1000 },
    );
    const last = rate?.samples[rate.samples.length - 1]?.v ?? 0;
    expect(last).toBeGreaterThan(12);
    expect(last).toBeLessThan(28);
  });

  it('errors from Prometheus come back as clear errors', async () => {
    const now = Date.now();
    await expect(
      new PrometheusApi(prom.url).query(
        { expr: 'rate(orders_total' },
        { startMs: now - 1000, endMs: now, stepMs: 1000 },
      ),
    ).rejects.toThrow(/Prometheus query failed \(bad_data\)/);
  });

  it('the prometheus source and our own scrape give the same picture as Prometheus', async () => {
    const store = new MemorySeriesStore();
    const ctx = { store, clock: systemClock, log: createLogger({ level: 'error' }), intervalMs: 1000 };
    const promSrc = sourceRegistry().get('prometheus');
    const fromProm = promSrc.create(
      promSrc.schema.parse({
        type: 'prometheus',
        url: prom.url,
        queries: { prom_orders_rate: 'sum(rate(orders_total[5s]))', prom_queue: 'queue_depth' },
        lookback: '10s',
        step: '1s',
      }),
      ctx,
    );
    const scrape = sourceRegistry().get('scrape');
    const own = scrape.create(
      scrape.schema.parse({ type: 'scrape', name: 'own', url: `${app.url}/metrics` }),
      ctx,
    );
    const signal = new AbortController().signal;
    for (let i = 0; i < 7; i++) {
      await own.collect(signal);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await fromProm.collect(signal);
    const q = (e: string) => evaluateVector(parsePromql(e), store, Date.now())[0]?.value ?? Number.NaN;
    expect(q('prom_queue')).toBe(7);
    const theirs = q('prom_orders_rate');
    const ours = q('sum(rate(orders_total{job="own"}[5s]))');
    expect(ours).toBeGreaterThan(12);
    expect(Math.abs(ours - theirs) / theirs).toBeLessThan(0.35);
  });

  it('our exposition parser reads Prometheus’s own /metrics', async () => {
    const text = await (await fetch(`${prom.url}/metrics`)).text();
    const e = parseExposition(text);
    expect(e.samples.length).toBeGreaterThan(200);
    expect(e.types.get('prometheus_http_requests_total')).toBe('counter');
    expect(
      e.samples.some(
        (s) => s.name === 'prometheus_http_request_duration_seconds_bucket' && s.labels.le === '+Inf',
      ),
    ).toBe(true);
  });
});
