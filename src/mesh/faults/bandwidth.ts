import { sizeBytes } from '../../spec/types.js';
import type { FaultType } from './types.js';

/** Limits the response body to `rate` bytes per second (`"64KiB"`, a number of bytes). */
export const bandwidthFault: FaultType<{ rate: number }> = {
  type: 'bandwidth',
  summary: 'limit the response body to rate bytes per second',
  shape: { rate: sizeBytes },
  apply(p, plan) {
    const rate = Math.max(1, p.rate);
    plan.bytesPerSec = plan.bytesPerSec === 0 ? rate : Math.min(plan.bytesPerSec, rate);
  },
};
