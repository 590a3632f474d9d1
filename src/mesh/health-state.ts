/**
 * Active health checking as a pure transition: an endpoint turns unhealthy after
 * `unhealthyThreshold` consecutive failed checks and healthy again after
 * `healthyThreshold` consecutive passed ones (Envoy's and Kubernetes' semantics).
 * Endpoints start healthy, so a mesh serves at once and a check only takes one out.
 */
export interface HealthState {
  healthy: boolean;
  /** Consecutive results that disagree with `healthy`. */
  streak: number;
}

export interface HealthThresholds {
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export function newHealthState(): HealthState {
  return { healthy: true, streak: 0 };
}

/** The state after one check; `changed` tells whether `healthy` flipped. */
export function nextHealth(
  s: HealthState,
  passed: boolean,
  t: HealthThresholds,
): { state: HealthState; changed: boolean } {
  if (passed === s.healthy) return { state: { healthy: s.healthy, streak: 0 }, changed: false };
  const streak = s.streak + 1;
  const needed = s.healthy ? t.unhealthyThreshold : t.healthyThreshold;
  if (streak >= needed) return { state: { healthy: passed, streak: 0 }, changed: true };
  return { state: { healthy: s.healthy, streak }, changed: false };
}

/** Whether a health-check response status counts as passed. */
export function statusPasses(status: number, expect: readonly number[]): boolean {
  return expect.length === 0 ? status >= 200 && status < 400 : expect.includes(status);
}
