import type { Random } from '../core/random.js';
import type { RetryConfig } from './model.js';

/**
 * The retry decision (Envoy's retry policy), pure: whether a failed attempt is tried again,
 * and after how long. Transport failures are retried per `on`; `5xx` also covers connect
 * failures, resets and per-try timeouts, `gateway-error` covers 502/503/504 and per-try
 * timeouts (which answer 504). Methods that are not idempotent are retried only when
 * configured, except after a connect failure: such a request never left the proxy.
 * Circuit-breaker rejections are never retried (retrying into an overloaded cluster is
 * what the breaker exists to prevent).
 */
export type AttemptFailure = 'connect-failure' | 'reset' | 'timeout' | 'overflow' | 'other';

export interface RetryQuestion {
  /** Retries already made for this request. */
  retriesDone: number;
  /** Response status, when the attempt got one. */
  status: number;
  /** Transport failure, when the attempt got no response. */
  failure: AttemptFailure | undefined;
  method: string;
  /** False when the request body was streamed and already (partly) sent. */
  bodyReplayable: boolean;
  /** The cluster's requests in flight and retries in flight, for the budget. */
  activeRequests: number;
  activeRetries: number;
  /** The exchange is over (overall timeout, client gone, mesh stopping). */
  cancelled: boolean;
}

export type RetryVerdict =
  | 'retry'
  | 'not-retriable'
  | 'exhausted'
  | 'method'
  | 'body'
  | 'budget'
  | 'cancelled'
  | 'disabled';

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** True when this status or failure is one the policy retries. */
export function isRetriable(
  policy: RetryConfig,
  status: number,
  failure: AttemptFailure | undefined,
): boolean {
  const on = policy.on;
  if (failure !== undefined) {
    if (failure === 'overflow' || failure === 'other') return false;
    if (on.includes('5xx')) return true;
    if (failure === 'connect-failure') return on.includes('connect-failure');
    if (failure === 'reset') return on.includes('reset');
    return on.includes('timeout') || on.includes('gateway-error');
  }
  if (status >= 500 && on.includes('5xx')) return true;
  if ((status === 502 || status === 503 || status === 504) && on.includes('gateway-error')) return true;
  return on.includes('retriable-status') && policy.statuses.includes(status);
}

/** Concurrent retries a cluster with `activeRequests` in flight may have. */
export function retryBudget(policy: RetryConfig, activeRequests: number): number {
  return Math.max(policy.budgetMinConcurrency, Math.floor(policy.budgetPercent * activeRequests));
}

export function decideRetry(policy: RetryConfig, q: RetryQuestion): RetryVerdict {
  if (policy.attempts <= 0) return 'disabled';
  if (q.cancelled) return 'cancelled';
  if (!isRetriable(policy, q.status, q.failure)) return 'not-retriable';
  if (q.retriesDone >= policy.attempts) return 'exhausted';
  if (!policy.nonIdempotent && q.failure !== 'connect-failure' && !idempotent.has(q.method)) return 'method';
  if (!q.bodyReplayable) return 'body';
  if (q.activeRetries >= retryBudget(policy, q.activeRequests)) return 'budget';
  return 'retry';
}

/** Fully jittered exponential backoff: uniform in [0, min(max, base × 2^retriesDone)). */
export function backoffMs(policy: RetryConfig, retriesDone: number, random: Random): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** retriesDone);
  return Math.max(0, random.next() * ceiling);
}
