import { request } from 'undici';
import { z } from 'zod';
import { usageError } from '../../core/errors.js';
import { assertTargetsAllowed } from '../../load/target-policy.js';
import { durationMs } from '../../spec/types.js';
import { withinTolerance } from '../measure/tolerance.js';
import { toleranceField } from './tolerance-field.js';
import { defineProbe } from './types.js';

/**
 * An HTTP request answered with an expected status (default 200–399), optionally within a
 * latency tolerance. A relative URL goes to a mesh listener (default the first), so the
 * probe sees what users see. Loopback only.
 */
export const httpProbe = defineProbe({
  type: 'http',
  summary: 'an HTTP request answered with an expected status (and latency)',
  shape: {
    url: z.string().min(1),
    listener: z.string().optional(),
    method: z
      .string()
      .regex(/^[A-Z]+$/)
      .default('GET'),
    /** A JSON body (sent with content-type application/json). */
    body: z.unknown().optional(),
    status: z.array(z.number().int().min(100).max(599)).optional(),
    timeout: durationMs.default(2000),
    latency: toleranceField.optional(),
  },
  create(p, ctx) {
    const base = /^https?:\/\//.test(p.url) ? undefined : ctx.controls.listenerUrl(p.listener);
    if (!/^https?:\/\//.test(p.url) && !base)
      throw usageError(
        'E_CHAOS_PROBE',
        `probe URL "${p.url}" is relative and there is no mesh listener to resolve it against`,
      );
    const url = base ? new URL(p.url, base).toString() : p.url;
    assertTargetsAllowed([url], false);
    const body = (p as { body?: unknown }).body;
    return {
      async check(signal) {
        const t0 = performance.now();
        try {
          const res = await request(url, {
            method: p.method as 'GET',
            ...(body === undefined
              ? {}
              : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
            headersTimeout: p.timeout,
            bodyTimeout: p.timeout,
            signal: AbortSignal.any([signal, AbortSignal.timeout(p.timeout)]),
          });
          await res.body.dump();
          const ms = performance.now() - t0;
          const statusOk = p.status
            ? p.status.includes(res.statusCode)
            : res.statusCode >= 200 && res.statusCode < 400;
          const latencyOk = p.latency ? withinTolerance(ms, p.latency) : true;
          return {
            ok: statusOk && latencyOk,
            value: res.statusCode,
            detail: `${res.statusCode} in ${Math.round(ms)} ms${latencyOk ? '' : ` (latency not ${p.latency?.text})`}`,
          };
        } catch (e) {
          return { ok: false, value: null, detail: `request failed: ${(e as Error).message}` };
        }
      },
    };
  },
});
