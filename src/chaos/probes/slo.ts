import { fraction } from '../../spec/types.js';
import { filterOf, windowFilterShape } from './metric.js';
import { defineProbe } from './types.js';

/**
 * An availability SLO over a sliding window: successful / total requests of the load (or
 * the mesh) in the last `window` at least the objective (e.g. 99.9 %).
 */
export const sloProbe = defineProbe({
  type: 'slo',
  summary: 'availability (successful / total) over a sliding window at least an objective',
  shape: { objective: fraction, ...windowFilterShape, window: windowFilterShape.window.default(10_000) },
  create(p, ctx) {
    const filter = filterOf(p);
    return {
      async check() {
        const now = ctx.clock.now();
        const m = ctx.live.merged(p.source, filter, now - p.window - 1000, now);
        if (m.requests < p.minRequests)
          return { ok: true, value: null, detail: `no data (${m.requests} requests)` };
        const availability = (m.requests - m.errors) / m.requests;
        return {
          ok: availability >= p.objective,
          value: Math.round(availability * 1e6) / 1e6,
          detail: `availability ${(availability * 100).toFixed(3)}% of ${m.requests} (objective ${(p.objective * 100).toFixed(3)}%)`,
        };
      },
    };
  },
});
