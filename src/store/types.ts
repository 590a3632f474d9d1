import type { RunEvent } from '../core/event.js';
import type { EncodedWindow } from '../core/window.js';

/**
 * The Run contract (DESIGN.md) as the results store keeps it, and the store interface
 * every backend implements (SQLite by default, PostgreSQL for shared results). One
 * contract test suite runs against both (test/contract/store.contract.ts).
 */

/** What produced a run. Other producers may add their own kinds. */
export type RunKind = 'load' | 'chaos' | 'rollout' | 'validate' | (string & {});

/** `running` until the producer finishes it (or recovery finds its process gone). */
export type StoredRunStatus = 'running' | 'passed' | 'failed' | 'aborted';

/** A finished run's status. */
export type FinalRunStatus = Exclude<StoredRunStatus, 'running'>;

export interface NewRun {
  /** Chosen by the store when absent (time-ordered: `20261203-141512-3f9a1c`). */
  id?: string;
  kind: RunKind;
  /** A hash of the spec / configuration, so runs of the same test can be found. */
  specHash?: string | null;
  /** ms since the epoch. */
  startMs: number;
  plannedDurationMs?: number | null;
  gitSha?: string | null;
  gitBranch?: string | null;
  environment?: string | null;
  /** Free-form `key=value` tags (`--tag`). */
  tags?: Record<string, string>;
  /** The producing process, for detecting runs whose process died. */
  pid?: number | null;
  host?: string | null;
  /** Anything else the producer wants kept (the load plan, the target). */
  meta?: Record<string, unknown>;
}

export interface RunRecord {
  id: string;
  kind: RunKind;
  status: StoredRunStatus;
  specHash: string | null;
  startMs: number;
  endMs: number | null;
  /** Last sign of life of the producer (ms since the epoch). */
  heartbeatMs: number;
  plannedDurationMs: number | null;
  gitSha: string | null;
  gitBranch: string | null;
  environment: string | null;
  tags: Record<string, string>;
  pid: number | null;
  host: string | null;
  /** The producer's summary (for load: the LoadSummary), or totals computed from windows. */
  summary: unknown;
  /** Why an aborted run ended: `interrupted`, `process-exited`, `heartbeat-lost`. */
  abortReason: string | null;
  meta: Record<string, unknown>;
  windowCount: number;
  eventCount: number;
}

export interface RunFinish {
  status: FinalRunStatus;
  endMs: number;
  summary: unknown;
  abortReason?: string | null;
}

export interface RunQuery {
  kind?: string;
  status?: StoredRunStatus;
  gitBranch?: string;
  environment?: string;
  specHash?: string;
  /** Every tag must match. */
  tags?: Record<string, string>;
  /** Runs that started at or after this time. */
  sinceMs?: number;
  /** Newest first by default. */
  order?: 'asc' | 'desc';
  limit?: number;
}

export interface Baseline {
  name: string;
  runId: string;
  setAtMs: number;
}

/** A run with everything it recorded: what `runs export` writes and `runs import` reads. */
export interface RunExport {
  format: 'shakedown.run';
  version: 1;
  exportedAt: string;
  run: Omit<RunRecord, 'windowCount' | 'eventCount'>;
  windows: EncodedWindow[];
  events: RunEvent[];
}

export interface ResultsStore {
  /** Where it is: a file path or a postgres:// URL without its password. */
  readonly location: string;
  readonly backend: 'sqlite' | 'postgres';
  createRun(run: NewRun): Promise<RunRecord>;
  /** Appends windows (in order) and refreshes the heartbeat, in one transaction. */
  appendWindows(runId: string, windows: readonly EncodedWindow[], heartbeatMs?: number): Promise<void>;
  appendEvents(runId: string, events: readonly RunEvent[]): Promise<void>;
  heartbeat(runId: string, atMs: number): Promise<void>;
  /** Sets the final status, end and summary of a running run. */
  finishRun(runId: string, finish: RunFinish): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** A run by exact id or unique prefix; throws a usage error when the prefix is ambiguous. */
  findRun(idOrPrefix: string): Promise<RunRecord | undefined>;
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  windows(runId: string): Promise<EncodedWindow[]>;
  events(runId: string): Promise<RunEvent[]>;
  setBaseline(name: string, runId: string, atMs: number): Promise<Baseline>;
  getBaseline(name: string): Promise<Baseline | undefined>;
  listBaselines(): Promise<Baseline[]>;
  /** Stores an exported run under its id; throws when a run with that id exists. */
  importRun(exported: RunExport): Promise<RunRecord>;
  /** The applied schema version. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
