import { Counter, Gauge, Histogram as PromHistogram, Registry as PromRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import { systemClock } from '../../core/clock.js';
import { recordUs } from '../../core/histogram.js';
import { createLogger } from '../../core/logger.js';
import { createWindow } from '../../core/window.js';
import { evaluateVector } from '../promql/evaluate.js';
import { parsePromql } from '../promql/parser.js';
import { MemorySeriesStore } from '../tsdb.js';
import { parseExposition } from './exposition.js';
import { sourceRegistry } from './registry.js';
import { WindowSeries } from './window-series.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const log = createLogger({ level: 'error' });

describe('exposition parser', () => {
  it('parses names, labels with escapes, special values, timestamps, HELP and TYPE', () => {
    const e = parseExposition(
      [
        '# HELP http_requests_total The total.\\nSecond line',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400",} 3',
        'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
        'metric_without_labels 12.47',
        'x{le="+Inf"} +Inf',
        'y -Inf',
        'z NaN',
        '# EOF',
      ].join('\n'),
    );
    expect(e.types.get('http_requests_total')).toBe('counter');
    expect(e.help.get('http_requests_total')).toBe('The total.\nSecond line');
    expect(e.samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '200' },
      value: 1027,
      timestampMs: 1395066363000,
    });
    expect(e.samples[1]?.labels).toEqual({ method: 'post', code: '400' });
    expect(e.samples[2]?.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(e.samples[3]).toEqual({ name: 'metric_without_labels', labels: {}, value: 12.47 });
    expect(e.samples.slice(4).map((s) => s.value)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]);
  });

  it('names the line of a malformed sample', () => {
    expect(() => parseExposition('ok 1\nbad{a=1} 2\n')).toThrow(/line 2: expected a quoted label value/);
    expect(() => parseExposition('x abc')).toThrow(/line 1: invalid value "abc"/);
  });
});

describe('sources', () => {
  it('scrape: reads what prom-client exposes, with job/instance and up', async () => {
    const reg = new PromRegistry();
    const c = new Counter({ name: 'orders_total', help: 'orders', labelNames: ['shop'], registers: [reg] });
    const h = new PromHistogram({
      name: 'req_seconds',
      help: 'latency',
      buckets: [0.1, 0.5],
      registers: [reg],
    });
    new Gauge({ name: 'temp_celsius', help: 't', registers: [reg] }).set(21.5);
    c.inc({ shop: 'eu' }, 5);
    h.observe(0.2);
    server = await startTestServer(async (_req, res) => {
      res.setHeader('content-type', reg.contentType);
      res.end(await reg.metrics());
    });
    const store = new MemorySeriesStore();
    const p = sourceRegistry().get('scrape');
    const src = p.create(p.schema.parse({ type: 'scrape', name: 'shop', url: `${server.url}/metrics` }), {
      store,
      clock: systemClock,
      log,
      intervalMs: 1000,
    });
    await src.collect(new AbortController().signal);
    const q = (e: string) => evaluateVector(parsePromql(e), store, Date.now() + 1);
    expect(q('orders_total{shop="eu"}')[0]?.labels).toMatchObject({
      job: 'shop',
      instance: `127.0.0.1:${server.port}`,
    });
    expect(q('orders_total')[0]?.value).toBe(5);
    expect(q('req_seconds_bucket{le="0.5"}')[0]?.value).toBe(1);
    expect(q('temp_celsius')[0]?.value).toBe(21.5);
    expect(q('up{job="shop"}')[0]?.value).toBe(1);
    await server.close();
    server = undefined;
    await src.collect(new AbortController().signal);
    expect(evaluateVector(parsePromql('up{job="shop"}'), store, Date.now() + 1)[0]?.value).toBe(0);
  });

  it('windows: become counters, a cumulative histogram and quantile gauges', () => {
    const store = new MemorySeriesStore();
    const ws = new WindowSeries(store, { job: 'load' });
    for (let s = 0; s < 3; s++) {
      const w = createWindow(1_000_000 + s * 1000, 1000, { scenario: 'browse', service: 'shop' });
      for (let i = 1; i <= 100; i++) recordUs(w.latencyUs, i * 1000); // 1..100 ms
      w.counters.requests = 100;
      w.counters.errors = 2;
      w.counters.failures.status5xx = 2;
      ws.write([w]);
    }
    const q = (e: string) => evaluateVector(parsePromql(e), store, 1_003_000);
    expect(q('shakedown_requests_total{scenario="browse",service="shop",job="load"}')[0]?.value).toBe(300);
    expect(q('shakedown_request_failures_total{class="status5xx"}')[0]?.value).toBe(6);
    expect(q('shakedown_request_duration_seconds_bucket{le="0.05"}')[0]?.value).toBe(150);
    expect(q('shakedown_request_duration_seconds_bucket{le="+Inf"}')[0]?.value).toBe(300);
    expect(q('shakedown_latency_seconds{quantile="0.99"}')[0]?.value).toBeCloseTo(0.099, 3);
    expect(q('histogram_quantile(0.5, shakedown_request_duration_seconds_bucket)')[0]?.value).toBeCloseTo(
      0.05,
      2,
    );
  });

  it('probe: measures a local service into windows; refuses remote targets by default', async () => {
    server = await startTestServer((_req, res) => setTimeout(() => res.end('ok'), 20));
    const store = new MemorySeriesStore();
    const p = sourceRegistry().get('probe');
    const src = p.create(
      p.schema.parse({ type: 'probe', name: 'api', url: `${server.url}/health`, rate: '50/s' }),
      { store, clock: systemClock, log, intervalMs: 1000 },
    );
    const signal = new AbortController().signal;
    await src.collect(signal);
    await new Promise((r) => setTimeout(r, 2300));
    await src.collect(signal);
    await src.stop?.();
    const q = (e: string) => evaluateVector(parsePromql(e), store, Date.now());
    const total = q('shakedown_requests_total{service="api"}')[0]?.value ?? 0;
    expect(total).toBeGreaterThanOrEqual(40);
    const p50 = q('shakedown_latency_seconds{quantile="0.5"}')[0]?.value ?? 0;
    expect(p50).toBeGreaterThan(0.015);
    expect(p50).toBeLessThan(0.5);
    expect(q('shakedown_request_errors_total')[0]?.value).toBe(0);
    expect(() =>
      p.create(p.schema.parse({ type: 'probe', name: 'x', url: 'http://example.com/' }), {
        store,
        clock: systemClock,
        log,
        intervalMs: 1000,
      }),
    ).toThrow(/not a loopback address/);
  });
});
