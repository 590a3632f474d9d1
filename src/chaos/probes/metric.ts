import { z } from 'zod';
import { durationMs, positiveInt } from '../../spec/types.js';
import { withinTolerance } from '../measure/tolerance.js';
import type { MergedWindows } from './live-windows.js';
import { toleranceField } from './tolerance-field.js';
import { defineProbe } from './types.js';

/**
 * A live window metric of the last `window` — latency percentiles (ms, from the merged
 * histogram), error rate, availability, requests per second — of the experiment's load
 * (`source: load`, what users saw) or of the mesh (`source: mesh`, filtered by route,
 * service, version), within a tolerance such as `"< 250ms"`. Fewer than `minRequests`
 * requests in the window is no data: the probe passes and says so.
 */
export const metricNames = [
  'p50',
  'p90',
  'p95',
  'p99',
  'p999',
  'max',
  'mean',
  'error_rate',
  'availability',
  'rps',
] as const;
export type MetricName = (typeof metricNames)[number];

export function metricValue(metric: MetricName, m: MergedWindows): number | null {
  if (m.requests === 0) return null;
  const ms = (p: number) => m.latencyUs.getValueAtPercentile(p) / 1000;
  switch (metric) {
    case 'p50':
      return ms(50);
    case 'p90':
      return ms(90);
    case 'p95':
      return ms(95);
    case 'p99':
      return ms(99);
    case 'p999':
      return ms(99.9);
    case 'max':
      return m.latencyUs.maxValue / 1000;
    case 'mean':
      return m.latencyUs.mean / 1000;
    case 'error_rate':
      return m.errors / m.requests;
    case 'availability':
      return (m.requests - m.errors) / m.requests;
    case 'rps':
      return m.seconds ? m.requests / m.seconds : null;
  }
}

export const windowFilterShape = {
  source: z.enum(['load', 'mesh']).default('load'),
  scenario: z.string().optional(),
  request: z.string().optional(),
  route: z.string().optional(),
  service: z.string().optional(),
  version: z.string().optional(),
  window: durationMs.default(5000),
  minRequests: positiveInt.default(1),
};

export function filterOf(p: {
  scenario?: string | undefined;
  request?: string | undefined;
  route?: string | undefined;
  service?: string | undefined;
  version?: string | undefined;
}) {
  const f: Record<string, string> = {};
  for (const k of ['scenario', 'request', 'route', 'service', 'version'] as const) {
    const v = p[k];
    if (v !== undefined) f[k] = v;
  }
  return f;
}

export const metricProbe = defineProbe({
  type: 'metric',
  summary: 'a live window metric (p99, error_rate, …) of the load or the mesh within a tolerance',
  shape: { metric: z.enum(metricNames), tolerance: toleranceField, ...windowFilterShape },
  create(p, ctx) {
    const filter = filterOf(p);
    return {
      async check() {
        const now = ctx.clock.now();
        // The newest window that has finished started a second or so ago.
        const m = ctx.live.merged(p.source, filter, now - p.window - 1000, now);
        const value = m.requests >= p.minRequests ? metricValue(p.metric, m) : null;
        if (value === null) return { ok: true, value: null, detail: `no data (${m.requests} requests)` };
        const rounded = Math.round(value * 1000) / 1000;
        return {
          ok: withinTolerance(value, p.tolerance),
          value: rounded,
          detail: `${p.metric} ${rounded} over ${m.requests} requests (tolerance ${p.tolerance.text})`,
        };
      },
    };
  },
});
