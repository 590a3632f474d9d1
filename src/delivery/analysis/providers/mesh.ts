import { z } from 'zod';
import { createWindow, mergeWindowInto, type Window } from '../../../core/window.js';
import { strictObject } from '../../../spec/types.js';
import { bucketsOf, meanOf, percentileOf } from '../../../stats/buckets.js';
import type { MeasureContext, ProviderPlugin, Reading } from './provider.js';

/**
 * An absolute check on the mesh's own windows of one version over the measured period
 * (merged exactly, percentiles from the merged histogram): `success_rate` and
 * `error_rate` (failed / completed; 4xx are not failures), latency percentiles and mean in
 * ms, `requests`, `rps`. A period with no requests is no data.
 */
export const meshMetrics = [
  'success_rate',
  'error_rate',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'latency_mean_ms',
  'requests',
  'rps',
] as const;

const schema = strictObject({
  type: z.literal('mesh'),
  metric: z.enum(meshMetrics, { error: () => `expected metric: one of ${meshMetrics.join(', ')}` }),
  /** `canary` (default), `stable`, or a version name. */
  version: z.string().min(1).default('canary'),
  /** Mesh routes to count (default: every route to the service). */
  routes: z.array(z.string()).optional(),
});

export type MeshProviderConfig = z.output<typeof schema>;

/** The version a provider's `version` names. */
export function resolveVersion(v: string, ctx: MeasureContext): string {
  return v === 'canary' ? ctx.canaryVersion : v === 'stable' ? ctx.stableVersion : v;
}

/** The merged window of one version of the service over windows. */
export function mergeVersion(
  windows: readonly Window[],
  service: string,
  version: string,
  routes?: readonly string[],
): Window {
  const out = createWindow(0, 0, { service, version });
  for (const w of windows) {
    if (w.key.service !== service || w.key.version !== version) continue;
    if (routes && !routes.includes(w.key.route ?? '')) continue;
    mergeWindowInto(out, w);
    out.durationMs += w.durationMs;
  }
  return out;
}

/** The metric's value of a merged window. */
export function meshMetricValue(
  metric: (typeof meshMetrics)[number],
  w: Window,
  periodMs: number,
): number | undefined {
  const c = w.counters;
  if (c.requests === 0) return undefined;
  switch (metric) {
    case 'success_rate':
      return 1 - c.errors / c.requests;
    case 'error_rate':
      return c.errors / c.requests;
    case 'requests':
      return c.requests;
    case 'rps':
      return c.requests / Math.max(0.001, periodMs / 1000);
    case 'latency_mean_ms':
      return meanOf(bucketsOf(w.latencyUs)) / 1000;
    default: {
      const p = Number(metric.slice('latency_p'.length, -'_ms'.length));
      return percentileOf(bucketsOf(w.latencyUs), p) / 1000;
    }
  }
}

export const meshProvider: ProviderPlugin<MeshProviderConfig> = {
  summary: "the mesh's windows of a version: success / error rate, latency percentiles, requests, rps",
  schema,
  create: (c) => ({
    measure: async (ctx): Promise<Reading> => {
      const version = resolveVersion(c.version, ctx);
      const windows = await ctx.windows(ctx.startMs, ctx.endMs);
      const merged = mergeVersion(windows, ctx.service, version, c.routes);
      const value = meshMetricValue(c.metric, merged, ctx.endMs - ctx.startMs);
      if (value === undefined)
        return { kind: 'no-data', message: `no requests to ${ctx.service}/${version} in the period` };
      return {
        kind: 'value',
        value,
        detail: { requests: merged.counters.requests, errors: merged.counters.errors, version },
      };
    },
  }),
};
