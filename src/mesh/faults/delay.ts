import { durationMs } from '../../spec/types.js';
import type { FaultType } from './types.js';

/** Holds the request for `delay` ± `jitter` (uniform) before forwarding it. */
export const delayFault: FaultType<{ delay: number; jitter?: number }> = {
  type: 'delay',
  summary: 'hold the request for delay ± jitter before forwarding it',
  shape: { delay: durationMs, jitter: durationMs.optional() },
  apply(p, plan, random) {
    const jitter = p.jitter ?? 0;
    plan.delayMs += Math.max(0, p.delay + (jitter > 0 ? (random.next() * 2 - 1) * jitter : 0));
  },
};
