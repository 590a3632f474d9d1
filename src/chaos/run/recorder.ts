import { createHash } from 'node:crypto';
import type { RunEvent } from '../../core/event.js';
import { encodeWindow } from '../../core/window.js';
import type { Output } from '../../load/output.js';
import { newRunId } from '../../store/run-id.js';
import type { ResultsStore } from '../../store/types.js';
import type { ExperimentSpec } from '../schema.js';
import type { ChaosReport } from './report.js';

/**
 * Records an experiment as a run of kind `chaos` in the results store, as it goes: created
 * `running` when it starts (its id names the faults), the load's windows appended each
 * second, the timeline's events appended with them, and the report set as the summary at
 * the end (`passed`, `failed` or `aborted`). A controller killed outright leaves the run
 * `running` with everything up to its last second; the store marks it aborted when next
 * opened. Store errors never stop the experiment.
 */
export class ChaosRecorder {
  readonly runId: string;
  private pending: Promise<void> = Promise.resolve();
  private created = false;
  private events: RunEvent[] = [];
  failed: unknown;

  constructor(
    private readonly store: ResultsStore | undefined,
    private readonly now: () => number = Date.now,
    private readonly meta: {
      gitSha?: string | null;
      gitBranch?: string | null;
      environment?: string | null;
      tags?: Record<string, string>;
    } = {},
  ) {
    this.runId = newRunId(now());
  }

  async start(name: string, experiment: ExperimentSpec, plannedDurationMs: number): Promise<void> {
    if (!this.store) return;
    try {
      await this.store.createRun({
        id: this.runId,
        kind: 'chaos',
        startMs: this.now(),
        plannedDurationMs,
        specHash: createHash('sha256')
          .update(JSON.stringify({ name, experiment }))
          .digest('hex')
          .slice(0, 16),
        gitSha: this.meta.gitSha ?? null,
        gitBranch: this.meta.gitBranch ?? null,
        environment: this.meta.environment ?? null,
        tags: { ...(this.meta.tags ?? {}), experiment: name },
        pid: process.pid,
        meta: { experiment: name, description: experiment.description ?? null },
      });
      this.created = true;
    } catch (e) {
      this.failed ??= e;
    }
  }

  event(e: RunEvent): void {
    this.events.push(e);
  }

  /** An output for the experiment's load: windows (and the events so far) each second. */
  output(): Output {
    return {
      name: 'chaos-store',
      start: () => {},
      write: (second) => {
        const windows = second.windows.map(encodeWindow);
        const events = this.events.splice(0);
        this.enqueue(async (s) => {
          await s.appendWindows(this.runId, windows, this.now());
          if (events.length) await s.appendEvents(this.runId, events);
        });
      },
      stop: () => {},
    };
  }

  async finish(report: ChaosReport): Promise<void> {
    const events = this.events.splice(0);
    this.enqueue(async (s) => {
      if (events.length) await s.appendEvents(this.runId, events);
      await s.finishRun(this.runId, {
        status: report.status,
        endMs: report.endedAt,
        summary: report,
        abortReason: report.status === 'aborted' ? report.abortedBy : null,
      });
    });
    await this.pending;
  }

  private enqueue(fn: (s: ResultsStore) => Promise<void>): void {
    const store = this.store;
    if (!store || !this.created) return;
    this.pending = this.pending
      .then(() => fn(store))
      .catch((e) => {
        this.failed ??= e;
      });
  }
}
