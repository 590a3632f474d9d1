import type { LastExit, Replica } from './replica.js';
import type { ReplicaState } from './replica-state.js';

/** A replica as the control API and `shakedown up` show it. Times are epoch ms. */
export interface ReplicaStatus {
  id: string;
  service: string;
  version: string;
  state: ReplicaState;
  pid: number | undefined;
  host: string;
  port: number;
  url: string;
  restarts: number;
  startedAt: number | undefined;
  readyAt: number | undefined;
  lastExit: LastExit | undefined;
  /** Why it is in a terminal state (crash loop, cannot start, …). */
  reason: string | undefined;
  logFile: string;
  /** The last lines of its log; in single-replica answers and for terminal states. */
  lastLines?: string[];
}

export interface VersionStatus {
  name: string;
  /** Replicas asked for (by the spec, a scale or a version start). */
  desired: number;
  ready: number;
  replicas: ReplicaStatus[];
}

export interface ServiceStatus {
  name: string;
  versions: VersionStatus[];
}

/** What a rolling restart did. */
export interface RestartResult {
  service: string;
  replaced: Array<{ old: string; new: string }>;
  durationMs: number;
}

export function replicaStatus(r: Replica): ReplicaStatus {
  const terminal = r.state === 'crash-loop' || r.state === 'failed' || r.state === 'exited';
  return {
    id: r.id,
    service: r.service.name,
    version: r.version.name,
    state: r.state,
    pid: r.pid,
    host: r.host,
    port: r.port,
    url: r.url,
    restarts: r.restarts,
    startedAt: r.startedAt,
    readyAt: r.readyAt,
    lastExit: r.lastExit,
    reason: r.reason,
    logFile: r.log.path,
    ...(terminal ? { lastLines: r.log.lastLines(20) } : {}),
  };
}
