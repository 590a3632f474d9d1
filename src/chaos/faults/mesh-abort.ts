import { z } from 'zod';
import { httpChaos, meshFault } from './mesh-fault.js';

/** Requests answered with an error status, or their connection reset. */
export const abortFault = meshFault({
  type: 'abort',
  summary: 'answer requests with an error status (default 503), or reset their connection',
  shape: { status: z.number().int().min(200).max(599).optional(), reset: z.boolean().optional() },
  toMesh: (p) => ({ type: 'abort', ...(p.reset ? { reset: true } : { status: p.status ?? 503 }) }),
  render: (p, r) => httpChaos(p, r, p.reset ? { abort: true } : { replace: { code: p.status ?? 503 } }),
});
