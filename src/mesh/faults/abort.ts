import { z } from 'zod';
import type { FaultType } from './types.js';

/** Answers `status` without forwarding, or resets the client connection (`reset: true`). */
export const abortFault: FaultType<{ status?: number; reset?: boolean }> = {
  type: 'abort',
  summary: 'answer a status (default 503) without forwarding, or reset the connection',
  shape: {
    status: z
      .number({ error: () => 'expected an HTTP status such as 503' })
      .int()
      .min(200, 'expected an HTTP status from 200 to 599')
      .max(599, 'expected an HTTP status from 200 to 599')
      .optional(),
    reset: z.boolean().optional(),
  },
  apply(p, plan) {
    if (plan.reset || plan.abortStatus !== 0) return;
    if (p.reset) plan.reset = true;
    else plan.abortStatus = p.status ?? 503;
  },
};
