/**
 * Signals to a replica's whole process group. Replicas are spawned detached, so each is
 * the leader of its own group (pgid = pid) and whatever it forks stays in that group;
 * signalling `-pid` reaches all of them, so nothing a replica started outlives it.
 */

/** Sends `signal` to the group led by `pid`; false when no process of the group is left. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

/** True while some process of the group led by `pid` exists. */
export function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0);
}
