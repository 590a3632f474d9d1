import { hostname } from 'node:os';
import { createHistogram, decodeHistogram, type Histogram, summarizeMs } from '../core/histogram.js';
import type { EncodedWindow } from '../core/window.js';
import type { ResultsStore, RunRecord } from './types.js';

/**
 * Runs whose producer died (`kill -9`, a crash, a lost machine) stay `running` in the
 * store. Whoever opens the store next finds them and marks them `aborted`, keeping the
 * windows they wrote, so a killed run reads as what it was. The decision is a pure
 * function of the run, the clock and a liveness probe.
 */
export interface LivenessContext {
  nowMs: number;
  /** This machine's name: a pid only means something on the host that recorded it. */
  host: string;
  /** True when a process with this pid exists here. */
  isAlive(pid: number): boolean;
  /** A run from another host (or without a pid) is abandoned after this long without a heartbeat. */
  staleAfterMs: number;
  /** Even with its pid alive here, a run this long without a heartbeat is abandoned (pid reuse). */
  pidReuseAfterMs: number;
}

export type AbandonReason = 'process-exited' | 'heartbeat-lost';

/** Why `run` is abandoned, or null when it is finished or still alive. */
export function abandonedBecause(run: RunRecord, ctx: LivenessContext): AbandonReason | null {
  if (run.status !== 'running') return null;
  const silentMs = ctx.nowMs - run.heartbeatMs;
  if (run.pid !== null && run.host === ctx.host) {
    if (!ctx.isAlive(run.pid)) return 'process-exited';
    return silentMs > ctx.pidReuseAfterMs ? 'heartbeat-lost' : null;
  }
  return silentMs > ctx.staleAfterMs ? 'heartbeat-lost' : null;
}

/** `process.kill(pid, 0)`: throws ESRCH when there is no such process (EPERM means there is). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function defaultLiveness(nowMs = Date.now()): LivenessContext {
  return {
    nowMs,
    host: hostname(),
    isAlive: processExists,
    staleAfterMs: 30_000,
    pidReuseAfterMs: 10 * 60_000,
  };
}

/** Totals of a run computed from its windows (what a recovered run gets as its summary). */
export interface WindowTotals {
  windows: number;
  requests: number;
  errors: number;
  errorRate: number;
  rps: number;
  latencyMs: ReturnType<typeof summarizeMs>;
}

export function totalsFromWindows(windows: readonly EncodedWindow[]): WindowTotals {
  const lat: Histogram = createHistogram();
  let requests = 0;
  let errors = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const w of windows) {
    lat.add(decodeHistogram(w.latencyUs));
    requests += w.counters.requests;
    errors += w.counters.errors;
    first = Math.min(first, w.startMs);
    last = Math.max(last, w.startMs + w.durationMs);
  }
  const seconds = windows.length ? (last - first) / 1000 : 0;
  return {
    windows: windows.length,
    requests,
    errors,
    errorRate: requests ? errors / requests : 0,
    rps: seconds > 0 ? Math.round((requests / seconds) * 100) / 100 : 0,
    latencyMs: summarizeMs(lat),
  };
}

/** Marks every abandoned run aborted, with totals from its windows; returns those runs. */
export async function recoverAbandonedRuns(
  store: ResultsStore,
  ctx: LivenessContext = defaultLiveness(),
): Promise<RunRecord[]> {
  const recovered: RunRecord[] = [];
  for (const run of await store.listRuns({ status: 'running' })) {
    const reason = abandonedBecause(run, ctx);
    if (!reason) continue;
    const windows = await store.windows(run.id);
    const lastWindowEnd = windows.reduce((m, w) => Math.max(m, w.startMs + w.durationMs), 0);
    const endMs = Math.max(run.heartbeatMs, lastWindowEnd, run.startMs);
    const summary = { status: 'aborted', abortedBy: reason, recovered: true, ...totalsFromWindows(windows) };
    await store.finishRun(run.id, { status: 'aborted', endMs, summary, abortReason: reason });
    recovered.push({ ...run, status: 'aborted', endMs, summary, abortReason: reason });
  }
  return recovered;
}
