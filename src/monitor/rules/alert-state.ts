import { type Labels, labelsKey } from '../labels.js';

/**
 * The alert life cycle of Prometheus's alerting rules (rules/alerting.go), as a pure
 * step function: a series the expression returns makes a pending alert, which fires once
 * it has been active for `for`; when the series is gone a pending alert is dropped and a
 * firing one resolves — unless `keep_firing_for` keeps it firing that long after it was
 * last returned. Resolved alerts stay 15 minutes so notifiers can report them.
 */
export type AlertStateName = 'pending' | 'firing' | 'inactive';

export interface AlertInstance {
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertStateName;
  value: number;
  activeAtMs: number;
  firedAtMs?: number;
  resolvedAtMs?: number;
  keepFiringSinceMs?: number;
  lastSeenMs: number;
}

export interface ActiveSample {
  labels: Labels;
  annotations: Record<string, string>;
  value: number;
}

export type AlertTransition = { type: 'pending' | 'firing' | 'resolved'; alert: AlertInstance };

export const resolvedRetentionMs = 15 * 60_000;

/** One evaluation: returns the new alert table and what changed. Does not mutate `prev`. */
export function stepAlerts(
  prev: ReadonlyMap<string, AlertInstance>,
  present: readonly ActiveSample[],
  nowMs: number,
  forMs: number,
  keepFiringForMs: number,
): { alerts: Map<string, AlertInstance>; transitions: AlertTransition[] } {
  const alerts = new Map<string, AlertInstance>();
  const transitions: AlertTransition[] = [];
  const seen = new Set<string>();
  for (const s of present) {
    const key = labelsKey(s.labels);
    seen.add(key);
    const old = prev.get(key);
    if (old && old.state !== 'inactive') {
      const { keepFiringSinceMs: _, ...rest } = old;
      alerts.set(key, { ...rest, value: s.value, annotations: s.annotations, lastSeenMs: nowMs });
    } else {
      const a: AlertInstance = {
        labels: s.labels,
        annotations: s.annotations,
        state: 'pending',
        value: s.value,
        activeAtMs: nowMs,
        lastSeenMs: nowMs,
      };
      alerts.set(key, a);
      transitions.push({ type: 'pending', alert: a });
    }
  }
  for (const [key, old] of prev) {
    if (seen.has(key)) continue;
    if (old.state === 'pending') continue; // dropped silently
    if (old.state === 'inactive') {
      if (old.resolvedAtMs !== undefined && nowMs - old.resolvedAtMs <= resolvedRetentionMs)
        alerts.set(key, old);
      continue;
    }
    const since = old.keepFiringSinceMs ?? nowMs;
    if (keepFiringForMs > 0 && nowMs - since < keepFiringForMs) {
      alerts.set(key, { ...old, keepFiringSinceMs: since });
      continue;
    }
    const { keepFiringSinceMs: _, ...rest } = old;
    const resolved: AlertInstance = { ...rest, state: 'inactive', resolvedAtMs: nowMs };
    alerts.set(key, resolved);
    transitions.push({ type: 'resolved', alert: resolved });
  }
  for (const [key, a] of alerts) {
    if (a.state === 'pending' && nowMs - a.activeAtMs >= forMs) {
      const fired: AlertInstance = { ...a, state: 'firing', firedAtMs: nowMs };
      alerts.set(key, fired);
      const pendingIdx = transitions.findIndex((t) => t.type === 'pending' && t.alert === a);
      if (pendingIdx >= 0) transitions.splice(pendingIdx, 1);
      transitions.push({ type: 'firing', alert: fired });
    }
  }
  return { alerts, transitions };
}
