/**
 * The states of a replica slot. A slot keeps its id over restarts; each start is a new
 * process with a new pid. Terminal states stay listed (with the reason) until the version
 * is scaled or started again, so a crash loop remains visible.
 */
export type ReplicaState =
  /** Spawned; startup / readiness probe not passed yet. */
  | 'starting'
  /** Readiness passing; an endpoint in the mesh. */
  | 'ready'
  /** Running, readiness failing; out of the mesh. */
  | 'unready'
  /** Stopped with SIGSTOP by a request; probes suspended. */
  | 'paused'
  /** Leaving the mesh before it is stopped; in-flight requests finishing. */
  | 'draining'
  /** Stop signal sent; waiting for the exit (SIGKILL after the grace period). */
  | 'stopping'
  /** Exited; waiting out the restart delay. */
  | 'backoff'
  /** Restarted too often in a row; not restarted again. */
  | 'crash-loop'
  /** Could not be started (command not found, not executable). */
  | 'failed'
  /** Exited and the restart policy leaves it down. */
  | 'exited'
  /** Stopped on purpose. */
  | 'stopped';

const terminal: ReadonlySet<ReplicaState> = new Set(['crash-loop', 'failed', 'exited', 'stopped']);

/** True when the slot has no process and will not get one by itself. */
export function isTerminal(state: ReplicaState): boolean {
  return terminal.has(state);
}

/** True when the slot counts toward the version's replicas (it runs or will run again). */
export function isActive(state: ReplicaState): boolean {
  return !terminal.has(state) && state !== 'draining' && state !== 'stopping';
}
