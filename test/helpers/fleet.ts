import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventSink, RunEvent } from '../../src/core/event.js';
import type { ServiceDefinition } from '../../src/fleet/definition.js';

/** The configurable test replica (see its header for the env knobs). */
export const fixtureService = fileURLToPath(new URL('../fixtures/fleet/service.mjs', import.meta.url));

/** A service running the fixture, with quick probes and backoff so tests take seconds. */
export function fixtureDefinition(
  name: string,
  overrides: Partial<Omit<ServiceDefinition, 'versions'>> & {
    env?: Record<string, string>;
    replicas?: number;
    versions?: ServiceDefinition['versions'];
  } = {},
): ServiceDefinition {
  const { env = {}, replicas = 1, versions, ...rest } = overrides;
  return {
    name,
    cwd: process.cwd(),
    host: '127.0.0.1',
    inheritEnv: true,
    versions: versions ?? [{ name: 'v1', run: [process.execPath, fixtureService], env, replicas }],
    probes: {
      readiness: {
        kind: 'http',
        path: '/readyz',
        intervalMs: 200,
        timeoutMs: 500,
        initialDelayMs: 0,
        successThreshold: 1,
        failureThreshold: 2,
      },
    },
    restart: {
      policy: 'always',
      backoff: { initialMs: 50, maxMs: 1000, factor: 2 },
      resetAfterMs: 10_000,
      crashLoopLimit: 3,
    },
    stop: { signal: 'SIGTERM', graceMs: 2000, drainTimeoutMs: 2000 },
    logs: { maxSizeBytes: 1 << 20, keep: 2 },
    ...rest,
  };
}

/** An EventSink that keeps every event and lets a test wait for one. */
export class CollectingSink implements EventSink {
  readonly events: RunEvent[] = [];
  private waiters: Array<{ match: (e: RunEvent) => boolean; resolve: (e: RunEvent) => void }> = [];

  emit(event: RunEvent): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  }

  /** Events of a kind (and subject), in order. */
  of(kind: string, subject?: string): RunEvent[] {
    return this.events.filter((e) => e.kind === kind && (subject === undefined || e.subject === subject));
  }

  /** Resolves with the first event from now on (or already seen after `since`) that matches. */
  waitFor(match: (e: RunEvent) => boolean, timeoutMs = 10_000, since = 0): Promise<RunEvent> {
    const seen = this.events.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }
}

/** Pids of the processes whose environment carries `tag` (children inherit it). */
export function processesTagged(tag: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(tag)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return pids;
}

/** The one-letter state of a process from /proc (R, S, T for stopped, Z…), or undefined if gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** True while a process exists (zombies count as gone). */
export function alive(pid: number): boolean {
  const s = processState(pid);
  return s !== undefined && s !== 'Z';
}

/** Polls `check` every 50 ms until it holds or `timeoutMs` passes. */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
