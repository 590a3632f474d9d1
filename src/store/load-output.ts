import { createHash } from 'node:crypto';
import type { RunEvent } from '../core/event.js';
import { encodeWindow } from '../core/window.js';
import type { LoadConfig } from '../load/model.js';
import type { Output, RunInfo, SecondReport } from '../load/output.js';
import type { LoadSummary } from '../load/summary.js';
import type { ResultsStore, RunRecord } from './types.js';

/**
 * Persists a `shakedown load` run as it goes: the run is created `running` when the load
 * starts, every second's windows are appended (and the heartbeat refreshed) as soon as the
 * second is released, and the final status and summary are set at the end — `aborted` on
 * Ctrl-C. A process killed outright leaves the run `running` with everything up to its
 * last second; the next open of the store marks it aborted. Store errors never stop the
 * load: the first one is reported and the run goes on.
 */
export interface StoreOutputOptions {
  gitSha?: string | null;
  gitBranch?: string | null;
  environment?: string | null;
  tags?: Record<string, string>;
  now?: () => number;
  /** Called once, with the first store error. */
  onError?: (e: unknown) => void;
}

/** A hash of what the test does (scenarios, zones, thresholds), not of seed or worker count. */
export function loadSpecHash(config: LoadConfig): string {
  const what = { scenarios: config.scenarios, zones: config.zones, thresholds: config.thresholds };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
}

export class StoreOutput implements Output {
  readonly name = 'store';
  private run: RunRecord | undefined;
  private pending: Promise<void> = Promise.resolve();
  private failed: unknown;
  private readonly now: () => number;
  private readonly events: RunEvent[] = [];

  constructor(
    readonly store: ResultsStore,
    private readonly options: StoreOutputOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The stored run, once started. */
  get runId(): string | undefined {
    return this.run?.id;
  }

  /** The first store error, if any. */
  get error(): unknown {
    return this.failed;
  }

  async start(info: RunInfo): Promise<void> {
    this.run = await this.store.createRun({
      kind: 'load',
      startMs: Math.round(info.startMs),
      plannedDurationMs: Math.round(info.plannedDurationMs),
      specHash: loadSpecHash(info.config),
      gitSha: this.options.gitSha ?? null,
      gitBranch: this.options.gitBranch ?? null,
      environment: this.options.environment ?? null,
      tags: this.options.tags ?? {},
      meta: {
        plannedMaxVus: info.plannedMaxVus,
        scenarios: info.scenarios,
        targets: [...new Set(info.config.scenarios.flatMap((s) => s.requests.map((r) => r.url)))].slice(
          0,
          20,
        ),
      },
    });
    this.emit({
      t: Math.round(info.startMs),
      kind: 'run.started',
      source: 'load',
      subject: this.run.id,
      data: { plannedDurationMs: info.plannedDurationMs, plannedMaxVus: info.plannedMaxVus },
    });
  }

  /** Adds an event to the run's timeline (written with the next second). */
  emit(event: RunEvent): void {
    this.events.push(event);
  }

  write(second: SecondReport): void {
    const run = this.run;
    if (!run) return;
    const windows = second.windows.map(encodeWindow);
    const events = this.events.splice(0);
    this.enqueue(async () => {
      await this.store.appendWindows(run.id, windows, this.now());
      if (events.length) await this.store.appendEvents(run.id, events);
    });
  }

  async stop(summary: LoadSummary): Promise<void> {
    const run = this.run;
    if (!run) return;
    const endMs = this.now();
    for (const t of summary.thresholds.filter((x) => !x.ok)) {
      this.emit({
        t: endMs,
        kind: 'threshold.failed',
        source: 'load',
        subject: t.expr,
        data: { metric: t.metric, value: t.value },
      });
    }
    this.emit({
      t: endMs,
      kind: 'run.finished',
      source: 'load',
      subject: run.id,
      data: { status: summary.status },
    });
    const events = this.events.splice(0);
    this.enqueue(async () => {
      await this.store.appendEvents(run.id, events);
      await this.store.finishRun(run.id, {
        status: summary.status,
        endMs,
        summary,
        abortReason: summary.status === 'aborted' ? (summary.abortedBy ?? 'interrupted') : null,
      });
    });
    await this.pending;
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
