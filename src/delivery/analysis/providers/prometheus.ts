import { z } from 'zod';
import { PrometheusApi } from '../../../monitor/sources/prometheus-api.js';
import { durationMs, strictObject } from '../../../spec/types.js';
import { argsMessage, fillArgs, type ProviderPlugin, type Reading } from './provider.js';

/**
 * A PromQL query through the Prometheus HTTP API (the monitor's {@link PrometheusApi},
 * `query_range` over the measured period): the value is the last sample of the first
 * series. No series, or only NaN, is no data. `{{canary}}`, `{{stable}}`, `{{service}}`
 * and `{{interval}}` (the period, "30s") may be used in the query.
 */
const schema = strictObject({
  type: z.literal('prometheus'),
  url: z.url({ error: () => 'expected the Prometheus base URL such as http://127.0.0.1:9090' }),
  query: z
    .string()
    .min(1)
    .superRefine((q, ctx) => {
      const m = argsMessage(q);
      if (m) ctx.addIssue({ code: 'custom', message: m });
    }),
  step: durationMs.optional(),
  timeout: durationMs.default(10_000),
});

export const prometheusProvider: ProviderPlugin<z.output<typeof schema>> = {
  summary: 'a PromQL query over the period (Prometheus HTTP API); the last sample of the first series',
  schema,
  create: (c) => {
    const api = new PrometheusApi(c.url, c.timeout);
    return {
      measure: async (ctx): Promise<Reading> => {
        const expr = fillArgs(c.query, ctx);
        const spanMs = Math.max(1000, ctx.endMs - ctx.startMs);
        const stepMs = c.step ?? Math.max(1000, Math.round(spanMs / 10));
        const series = await api.query(
          { expr },
          { startMs: ctx.startMs, endMs: ctx.endMs, stepMs },
          ctx.signal,
        );
        const first = series.find((s) => s.samples.some((p) => Number.isFinite(p.v)));
        if (!first) return { kind: 'no-data', message: `no data for ${expr}`, detail: { expr } };
        const last = first.samples.filter((p) => Number.isFinite(p.v)).pop() as { t: number; v: number };
        return {
          kind: 'value',
          value: last.v,
          detail: { expr, labels: first.labels, at: last.t, series: series.length },
          ...(series.length > 1 ? { message: `first of ${series.length} series` } : {}),
        };
      },
    };
  },
};
