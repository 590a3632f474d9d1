/**
 * The Event contract (DESIGN.md): one timeline per run. Faults injected and reverted,
 * replicas exiting and becoming ready, rollout steps, alerts, thresholds crossed. MTTR,
 * time-to-detect and rollback time are computed from events, never guessed.
 */
export interface RunEvent<D extends Record<string, unknown> = Record<string, unknown>> {
  /** When it happened, ms since the epoch. */
  t: number;
  /** What happened, dotted: `fault.injected`, `replica.exited`, `threshold.crossed`. */
  kind: string;
  /** Who reported it: `load`, `mesh`, `fleet`, `chaos`, `rollout`, `watch`. */
  source: string;
  /** What it is about: a service, replica, fault id, threshold expression. */
  subject: string;
  data: D;
}

export interface EventSink {
  emit(event: RunEvent): void;
}
