/**
 * The replica count for a forecast, by Kubernetes' HPA rules (pure): desired =
 * ceil(current × (forecast / current) / targetPerReplica) = ceil(forecast × (1 +
 * headroom) / targetPerReplica); no change while the ratio to the current capacity is
 * within `tolerance` (0.1, as the HPA); clamped to [min, max]; and scale-down
 * stabilisation — the result is the highest recommendation of the last
 * `stabilizationMs`, so capacity is not removed on a dip.
 */
export interface ScalingPolicy {
  targetPerReplica: number;
  headroom: number;
  tolerance: number;
  minReplicas: number;
  maxReplicas: number;
  stabilizationMs: number;
}

export interface Recommendation {
  replicas: number;
  /** Before stabilisation and tolerance. */
  desired: number;
  reason: 'scale-up' | 'scale-down' | 'within-tolerance' | 'stabilized' | 'steady' | 'no-forecast';
}

export const defaultScalingPolicy: Omit<ScalingPolicy, 'targetPerReplica'> = {
  headroom: 0.1,
  tolerance: 0.1,
  minReplicas: 1,
  maxReplicas: 100,
  stabilizationMs: 300_000,
};

/**
 * One decision. `history` holds the earlier *desired* counts (time, `desired`) — as the
 * HPA keeps them — not the stabilised results, or a peak would hold capacity forever.
 */
export function recommendReplicas(
  forecastPeak: number,
  currentReplicas: number,
  policy: ScalingPolicy,
  history: ReadonlyArray<{ t: number; replicas: number }>,
  nowMs: number,
): Recommendation {
  const clamp = (n: number) => Math.min(policy.maxReplicas, Math.max(policy.minReplicas, n));
  if (!Number.isFinite(forecastPeak))
    return { replicas: clamp(currentReplicas), desired: currentReplicas, reason: 'no-forecast' };
  const needed = Math.max(0, forecastPeak) * (1 + policy.headroom);
  const current = Math.max(1, currentReplicas);
  const ratio = needed / (current * policy.targetPerReplica);
  let desired = clamp(Math.ceil(needed / policy.targetPerReplica));
  let reason: Recommendation['reason'] =
    desired > currentReplicas ? 'scale-up' : desired < currentReplicas ? 'scale-down' : 'steady';
  if (Math.abs(ratio - 1) <= policy.tolerance && currentReplicas >= policy.minReplicas) {
    desired = clamp(currentReplicas);
    reason = 'within-tolerance';
  }
  let replicas = desired;
  for (const h of history)
    if (nowMs - h.t < policy.stabilizationMs && h.replicas > replicas) replicas = h.replicas;
  if (replicas > desired) reason = 'stabilized';
  return { replicas, desired, reason };
}
