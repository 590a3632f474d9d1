import { admit } from '../circuit-breaker.js';
import { meshErrors } from '../errors.js';
import type { ProxyLayer } from './types.js';

/**
 * Circuit breaking per cluster: an attempt over the cluster's limits is rejected at once
 * (503, `x-shakedown-overloaded`), never queued. The counters it reads are kept by the
 * upstream layer.
 */
export function circuitBreakerLayer(): ProxyLayer {
  return (next) => (req, handler) => {
    const c = req.cluster;
    const why = admit(c.owner.config.circuitBreaker, c.attemptsInFlight, c.pending);
    if (why !== undefined) {
      c.overflows[why]++;
      handler.onError(meshErrors.overflow(why));
      return;
    }
    next(req, handler);
  };
}
