import type { OutlierConfig } from './model.js';

/**
 * Passive outlier ejection (Envoy's outlier detection), as pure functions over an
 * endpoint's counters: consecutive 5xx responses, or consecutive connect failures / resets /
 * timeouts, eject an endpoint for `baseEjectionMs × times ejected` (capped), while at most
 * `maxEjectionPercent` of a cluster is ejected at once. The multiplier decays by one for
 * every base ejection time the endpoint spends without being ejected.
 */
export interface OutlierState {
  consecutive5xx: number;
  consecutiveConnectErrors: number;
  /** The ejection multiplier. */
  timesEjected: number;
  /** While `nowMs < ejectedUntilMs` the endpoint gets no traffic; 0 when never ejected. */
  ejectedUntilMs: number;
}

/** How one attempt on an endpoint ended, as outlier detection sees it. */
export type AttemptVerdict = 'success' | '5xx' | 'connect-error';

export function newOutlierState(): OutlierState {
  return { consecutive5xx: 0, consecutiveConnectErrors: 0, timesEjected: 0, ejectedUntilMs: 0 };
}

export function isEjected(s: OutlierState, nowMs: number): boolean {
  return nowMs < s.ejectedUntilMs;
}

/**
 * Counts one attempt's verdict; returns true when a threshold is crossed (the caller then
 * asks {@link ejectionAllowed} and calls {@link eject}). Results arriving while the endpoint
 * is ejected are ignored: they are requests sent before the ejection.
 */
export function countVerdict(
  s: OutlierState,
  verdict: AttemptVerdict,
  config: OutlierConfig,
  nowMs: number,
): boolean {
  if (!config.enabled || isEjected(s, nowMs)) return false;
  if (verdict === 'success') {
    s.consecutive5xx = 0;
    s.consecutiveConnectErrors = 0;
    return false;
  }
  if (verdict === '5xx') {
    s.consecutive5xx++;
    s.consecutiveConnectErrors = 0;
    return config.consecutive5xx > 0 && s.consecutive5xx >= config.consecutive5xx;
  }
  s.consecutiveConnectErrors++;
  return config.consecutiveConnectErrors > 0 && s.consecutiveConnectErrors >= config.consecutiveConnectErrors;
}

/** Whether one more endpoint of a cluster of `total`, `ejected` of them already out, may be ejected. */
export function ejectionAllowed(ejected: number, total: number, maxEjectionPercent: number): boolean {
  return ejected < Math.max(1, Math.floor(total * maxEjectionPercent + 1e-9));
}

/** Ejects the endpoint at `nowMs`; returns how long for, in ms. */
export function eject(s: OutlierState, config: OutlierConfig, nowMs: number): number {
  if (s.ejectedUntilMs > 0 && s.timesEjected > 0) {
    const quietMs = Math.max(0, nowMs - s.ejectedUntilMs);
    s.timesEjected = Math.max(0, s.timesEjected - Math.floor(quietMs / config.baseEjectionMs));
  }
  s.timesEjected++;
  const durationMs = Math.min(config.baseEjectionMs * s.timesEjected, config.maxEjectionMs);
  s.ejectedUntilMs = nowMs + durationMs;
  s.consecutive5xx = 0;
  s.consecutiveConnectErrors = 0;
  return durationMs;
}
