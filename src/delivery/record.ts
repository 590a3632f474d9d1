import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventSink, RunEvent } from '../core/event.js';
import { encodeWindow, type Window } from '../core/window.js';
import type { FinalRunStatus, ResultsStore, RunRecord } from '../store/types.js';
import type { RolloutSpec } from './model.js';
import type { RolloutStatus } from './status.js';

/**
 * A rollout as a run of kind `rollout` in the results store, persisted as it goes: the
 * run is created when the rollout starts, with the rollout spec in its meta (what `retry`
 * and `undo` read back); every event is appended within a second, and the mesh's windows
 * of the service (both versions, every route) with it, so a rollout can be replayed,
 * exported and compared like a load run; the final status and the rollout's status object
 * are its summary. Promoted is `passed`, aborted by analysis, deadline or alert is
 * `failed`, aborted by a person `aborted`. Store errors never stop a rollout.
 */
export interface RecorderOptions {
  gitSha?: string | null;
  gitBranch?: string | null;
  tags?: Record<string, string>;
  now?: () => number;
  onError?: (e: unknown) => void;
  /** Reads the mesh's windows since a time (for the run's windows); none: events only. */
  windows?: (sinceMs: number, untilMs: number) => Promise<Window[]>;
  flushEveryMs?: number;
}

const writeAtOnce = new Set([
  'rollout.started',
  'rollout.weights',
  'rollout.promoted',
  'rollout.rolled-back',
]);

export function rolloutSpecHash(spec: RolloutSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}

export function runStatusOf(s: RolloutStatus): FinalRunStatus {
  if (s.phase === 'promoted') return 'passed';
  return s.abortedBy === 'user' ? 'aborted' : 'failed';
}

export class RolloutRecorder implements EventSink {
  private readonly events: RunEvent[] = [];
  private pending: Promise<void> = Promise.resolve();
  private failed: unknown;
  private timer: NodeJS.Timeout | undefined;
  private windowsSince: number;
  private readonly now: () => number;

  private constructor(
    readonly store: ResultsStore,
    readonly run: RunRecord,
    private readonly spec: RolloutSpec,
    private readonly options: RecorderOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.windowsSince = run.startMs;
    this.timer = setInterval(() => this.flush(), options.flushEveryMs ?? 1000);
    this.timer.unref();
  }

  static async start(
    store: ResultsStore,
    spec: RolloutSpec,
    options: RecorderOptions = {},
  ): Promise<RolloutRecorder> {
    const now = options.now ?? Date.now;
    const run = await store.createRun({
      kind: 'rollout',
      startMs: now(),
      specHash: rolloutSpecHash(spec),
      gitSha: options.gitSha ?? null,
      gitBranch: options.gitBranch ?? null,
      tags: { service: spec.service, version: spec.version, ...options.tags },
      pid: process.pid,
      host: hostname(),
      meta: { rollout: spec },
    });
    return new RolloutRecorder(store, run, spec, options);
  }

  get runId(): string {
    return this.run.id;
  }

  /** The first store error, if any. */
  get error(): unknown {
    return this.failed;
  }

  emit(event: RunEvent): void {
    this.events.push(event);
    // What `abort` needs when the controller is gone (the stable version, where traffic
    // is) is written at once, not with the next second.
    if (writeAtOnce.has(event.kind)) this.flush();
  }

  /** Writes what is left, then the final status and summary. */
  async finish(status: RolloutStatus): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    const endMs = this.now();
    this.enqueue(() =>
      this.store.finishRun(this.run.id, {
        status: runStatusOf(status),
        endMs,
        summary: status,
        abortReason: status.abortedBy === 'user' ? 'interrupted' : null,
      }),
    );
    await this.pending;
  }

  private flush(): void {
    const events = this.events.splice(0);
    const read = this.options.windows;
    const since = this.windowsSince;
    const until = Math.floor(this.now() / 1000) * 1000 - 1000;
    if (read && until > since) this.windowsSince = until;
    this.enqueue(async () => {
      if (read && until > since) {
        const ws = (await read(since, until)).filter((w) => w.key.service === this.spec.service);
        if (ws.length) await this.store.appendWindows(this.run.id, ws.map(encodeWindow), this.now());
        else await this.store.heartbeat(this.run.id, this.now());
      } else await this.store.heartbeat(this.run.id, this.now());
      if (events.length) await this.store.appendEvents(this.run.id, events);
    });
  }

  private enqueue(fn: () => Promise<void>): void {
    this.pending = this.pending.then(fn).catch((e) => {
      if (this.failed === undefined) {
        this.failed = e;
        this.options.onError?.(e);
      }
    });
  }
}
