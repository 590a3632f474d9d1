import type { CircuitBreakerConfig } from './model.js';

/**
 * Circuit breaking (Envoy's thresholds), pure: a cluster with `maxRequests` requests in
 * flight, or `maxPending` waiting for a connection, rejects the next attempt at once with
 * a 503 whose `x-shakedown-overloaded` header names the limit, instead of queueing it
 * behind a struggling upstream. `maxConnections` is enforced by the size of each
 * endpoint's connection pool, which is what makes requests pend.
 */
export type OverflowReason = 'max-requests' | 'max-pending';

export function admit(
  config: CircuitBreakerConfig,
  inFlight: number,
  pending: number,
): OverflowReason | undefined {
  if (inFlight >= config.maxRequests) return 'max-requests';
  if (pending >= config.maxPending) return 'max-pending';
  return undefined;
}
