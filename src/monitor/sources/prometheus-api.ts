import { request } from 'undici';
import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { durationMs, strictObject } from '../../spec/types.js';
import type { MetricProvider, MetricQuery, Series, SourcePlugin, TimeRange } from './source.js';

/**
 * The Prometheus HTTP API (`/api/v1/query_range`) as a {@link MetricProvider}, and as a
 * watch source: each named query is fetched over the last `lookback` every interval and
 * its series are stored under the query's name (with their labels), so rules can use
 * production data from Prometheus.
 */
export class PrometheusApi implements MetricProvider {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
    private readonly headers: Record<string, string> = {},
  ) {}

  async query(q: MetricQuery, range: TimeRange, signal?: AbortSignal): Promise<Series[]> {
    const url = new URL('/api/v1/query_range', this.baseUrl);
    const body = new URLSearchParams({
      query: q.expr,
      start: String(range.startMs / 1000),
      end: String(range.endMs / 1000),
      step: String(range.stepMs / 1000),
    });
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.headers },
      body: body.toString(),
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)])
        : AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.body.text();
    let json: {
      status: string;
      error?: string;
      errorType?: string;
      data?: {
        resultType: string;
        result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
      };
    };
    try {
      json = JSON.parse(text);
    } catch {
      throw new ShakedownError(
        'E_PROMETHEUS',
        `${url.origin}: not a Prometheus API response (HTTP ${res.statusCode})`,
        { exitCode: ExitCode.unreachable },
      );
    }
    if (json.status !== 'success' || !json.data) {
      throw new ShakedownError(
        'E_PROMETHEUS',
        `Prometheus query failed (${json.errorType ?? res.statusCode}): ${json.error ?? text.slice(0, 200)}`,
        {
          exitCode: ExitCode.usage,
        },
      );
    }
    if (json.data.resultType !== 'matrix')
      throw new ShakedownError('E_PROMETHEUS', `unexpected result type ${json.data.resultType}`);
    return json.data.result.map((r) => ({
      labels: r.metric,
      samples: r.values.map(([t, v]) => ({ t: Math.round(t * 1000), v: parseFloat(v) })),
    }));
  }
}

const schema = strictObject({
  type: z.literal('prometheus'),
  url: z.url({ error: () => 'expected the Prometheus base URL such as http://127.0.0.1:9090' }),
  queries: z.record(
    z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a metric name for the query'),
    z.string(),
  ),
  interval: durationMs.optional(),
  lookback: durationMs.default(300_000),
  step: durationMs.default(15_000),
  timeout: durationMs.default(10_000),
});

export const prometheusSource: SourcePlugin<z.output<typeof schema>> = {
  summary: 'fetch named PromQL queries from the Prometheus HTTP API (query_range)',
  schema,
  create: (c, ctx) => {
    const api = new PrometheusApi(c.url, c.timeout);
    return {
      name: new URL(c.url).host,
      intervalMs: c.interval ?? ctx.intervalMs,
      collect: async (signal) => {
        const end = ctx.clock.now();
        for (const [name, expr] of Object.entries(c.queries)) {
          try {
            const series = await api.query(
              { expr },
              { startMs: end - c.lookback, endMs: end, stepMs: c.step },
              signal,
            );
            for (const s of series)
              for (const p of s.samples) ctx.store.append({ ...s.labels, __name__: name }, p.t, p.v);
          } catch (e) {
            ctx.log.warn(`prometheus query ${name} failed: ${(e as Error).message}`, { source: c.url });
          }
        }
      },
    };
  },
};
