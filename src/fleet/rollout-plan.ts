import { isActive, isTerminal, type ReplicaState } from './replica-state.js';

/**
 * Plans for changing a version's replicas: scaling to a count, and replacing every
 * replica one batch at a time (a rolling restart). Pure; the Fleet executes the steps.
 */

export interface ReplicaView {
  id: string;
  /** Position in start order; later replicas have higher indexes. */
  index: number;
  state: ReplicaState;
}

export interface ScalePlan {
  /** How many replicas to start. */
  start: number;
  /** Replicas to drain and stop, in order. */
  stop: string[];
  /** Terminal slots to drop from the listing. */
  forget: string[];
}

/** Replicas that serve nothing go first, then the newest. */
const stopPriority: Partial<Record<ReplicaState, number>> = {
  backoff: 0,
  starting: 1,
  unready: 2,
  paused: 3,
  ready: 4,
};

function byStopOrder(a: ReplicaView, b: ReplicaView): number {
  const pa = stopPriority[a.state] ?? 5;
  const pb = stopPriority[b.state] ?? 5;
  return pa - pb || b.index - a.index;
}

/** Scales the active replicas of a version to `desired`. */
export function planScale(replicas: ReplicaView[], desired: number): ScalePlan {
  const active = replicas.filter((r) => isActive(r.state));
  const forget = replicas.filter((r) => isTerminal(r.state)).map((r) => r.id);
  if (active.length <= desired) return { start: desired - active.length, stop: [], forget };
  const stop = [...active]
    .sort(byStopOrder)
    .slice(0, active.length - desired)
    .map((r) => r.id);
  return { start: 0, stop, forget };
}

/** One batch of a rolling restart: start `start` new replicas, await them, then retire `retire`. */
export interface RollingBatch {
  start: number;
  retire: string[];
}

/**
 * Replaces every active replica, `maxSurge` at a time (at least 1): each batch starts new
 * replicas, waits until they are ready and in the mesh, then drains and stops as many old
 * ones. Replicas that serve nothing are replaced first, since that restores capacity
 * soonest; the rest go oldest first.
 */
export function planRollingRestart(replicas: ReplicaView[], maxSurge = 1): RollingBatch[] {
  const surge = Math.max(1, Math.floor(maxSurge));
  const old = replicas
    .filter((r) => isActive(r.state))
    .sort((a, b) => (stopPriority[a.state] ?? 5) - (stopPriority[b.state] ?? 5) || a.index - b.index);
  const batches: RollingBatch[] = [];
  for (let i = 0; i < old.length; i += surge) {
    const retire = old.slice(i, i + surge).map((r) => r.id);
    batches.push({ start: retire.length, retire });
  }
  return batches;
}
