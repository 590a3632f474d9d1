import { hostname } from 'node:os';
import { ShakedownError, usageError } from '../core/errors.js';
import type { RunEvent } from '../core/event.js';
import { ExitCode } from '../core/exit-codes.js';
import type { EncodedWindow, WindowCounters, WindowKey } from '../core/window.js';
import { migrate } from './migrations.js';
import { isValidRunId, newRunId } from './run-id.js';
import type { SqlDriver, SqlExecutor, SqlValue } from './sql-driver.js';
import type {
  Baseline,
  NewRun,
  ResultsStore,
  RunExport,
  RunFinish,
  RunQuery,
  RunRecord,
  StoredRunStatus,
} from './types.js';

/**
 * The results store over any {@link SqlDriver}: the same statements on SQLite and
 * PostgreSQL, so both backends behave alike and pass one contract suite. Calls are
 * serialised per store object (a connection does one thing at a time); separate
 * processes coordinate through the database's own locking.
 */
const RUN_COLUMNS = `r.id, r.kind, r.status, r.spec_hash, r.git_sha, r.git_branch, r.environment, r.start_ms,
  r.end_ms, r.heartbeat_ms, r.planned_duration_ms, r.pid, r.host, r.summary, r.abort_reason, r.meta,
  (SELECT COUNT(*) FROM windows w WHERE w.run_id = r.id) AS window_count,
  (SELECT COUNT(*) FROM events e WHERE e.run_id = r.id) AS event_count`;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function parseJson<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** The key with its fields in a fixed order, so equal keys are equal strings. */
function canonicalKey(k: WindowKey): string {
  const fields = ['scenario', 'request', 'zone', 'route', 'service', 'version'] as const;
  const out: Record<string, string> = {};
  for (const f of fields) if (k[f] !== undefined) out[f] = k[f] as string;
  return JSON.stringify(out);
}

function notFound(id: string): ShakedownError {
  return usageError(
    'E_RUN_NOT_FOUND',
    `no run "${id}" in the results store`,
    'list the runs with `shakedown runs list`',
  );
}

export class SqlResultsStore implements ResultsStore {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly driver: SqlDriver,
    readonly location: string,
    private version: number,
  ) {}

  get backend(): 'sqlite' | 'postgres' {
    return this.driver.dialect;
  }

  /** Opens a store over `driver`, applying pending migrations. */
  static async open(driver: SqlDriver, location: string, nowMs = Date.now()): Promise<SqlResultsStore> {
    try {
      const version = await migrate(driver, nowMs);
      return new SqlResultsStore(driver, location, version);
    } catch (e) {
      await driver.close().catch(() => {});
      throw e;
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  createRun(run: NewRun): Promise<RunRecord> {
    return this.serial(async () => {
      const id = run.id ?? newRunId(run.startMs);
      if (!isValidRunId(id)) throw usageError('E_RUN_ID', `invalid run id "${id}"`);
      await this.driver.transaction(async (tx) => {
        await this.insertRun(tx, {
          id,
          kind: run.kind,
          status: 'running',
          specHash: run.specHash ?? null,
          startMs: run.startMs,
          endMs: null,
          heartbeatMs: run.startMs,
          plannedDurationMs: run.plannedDurationMs ?? null,
          gitSha: run.gitSha ?? null,
          gitBranch: run.gitBranch ?? null,
          environment: run.environment ?? null,
          tags: run.tags ?? {},
          pid: run.pid === undefined ? process.pid : run.pid,
          host: run.host === undefined ? hostname() : run.host,
          summary: null,
          abortReason: null,
          meta: run.meta ?? {},
        });
      });
      return (await this.readRun(this.driver, id)) as RunRecord;
    });
  }

  private async insertRun(tx: SqlExecutor, r: Omit<RunRecord, 'windowCount' | 'eventCount'>): Promise<void> {
    await tx.run(
      `INSERT INTO runs (id, kind, status, spec_hash, git_sha, git_branch, environment, start_ms, end_ms,
        heartbeat_ms, planned_duration_ms, pid, host, summary, abort_reason, meta)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        r.id,
        r.kind,
        r.status,
        r.specHash,
        r.gitSha,
        r.gitBranch,
        r.environment,
        Math.round(r.startMs),
        r.endMs === null ? null : Math.round(r.endMs),
        Math.round(r.heartbeatMs),
        r.plannedDurationMs === null ? null : Math.round(r.plannedDurationMs),
        r.pid,
        r.host,
        r.summary === null || r.summary === undefined ? null : JSON.stringify(r.summary),
        r.abortReason,
        JSON.stringify(r.meta ?? {}),
      ],
    );
    for (const [k, v] of Object.entries(r.tags ?? {})) {
      await tx.run('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)', [r.id, k, String(v)]);
    }
  }

  /** Inserts `windows` of `runId` numbered from `firstSeq`. */
  private async insertWindows(
    tx: SqlExecutor,
    runId: string,
    firstSeq: number,
    windows: readonly EncodedWindow[],
  ): Promise<void> {
    let seq = firstSeq;
    for (const w of windows) {
      await tx.run(
        `INSERT INTO windows (run_id, seq, start_ms, duration_ms, scenario, request, window_key, latency_us,
          service_time_us, counters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          runId,
          seq++,
          Math.round(w.startMs),
          Math.round(w.durationMs),
          w.key.scenario ?? null,
          w.key.request ?? null,
          canonicalKey(w.key),
          w.latencyUs,
          w.serviceTimeUs,
          JSON.stringify(w.counters),
        ],
      );
    }
  }

  private async requireRun(tx: SqlExecutor, id: string): Promise<void> {
    const rows = await tx.all('SELECT id FROM runs WHERE id = ?', [id]);
    if (rows.length === 0) throw notFound(id);
  }

  appendWindows(runId: string, windows: readonly EncodedWindow[], heartbeatMs?: number): Promise<void> {
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        await this.requireRun(tx, runId);
        const rows = await tx.all('SELECT COALESCE(MAX(seq), -1) AS s FROM windows WHERE run_id = ?', [
          runId,
        ]);
        const seq = Number(rows[0]?.s ?? -1) + 1;
        await this.insertWindows(tx, runId, seq, windows);
        if (heartbeatMs !== undefined) {
          await tx.run('UPDATE runs SET heartbeat_ms = ? WHERE id = ?', [Math.round(heartbeatMs), runId]);
        }
      }),
    );
  }

  appendEvents(runId: string, events: readonly RunEvent[]): Promise<void> {
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        await this.requireRun(tx, runId);
        const rows = await tx.all('SELECT COALESCE(MAX(seq), -1) AS s FROM events WHERE run_id = ?', [runId]);
        let seq = Number(rows[0]?.s ?? -1) + 1;
        for (const e of events) {
          await tx.run(
            'INSERT INTO events (run_id, seq, t_ms, kind, source, subject, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [runId, seq++, Math.round(e.t), e.kind, e.source, e.subject, JSON.stringify(e.data ?? {})],
          );
        }
      }),
    );
  }

  heartbeat(runId: string, atMs: number): Promise<void> {
    return this.serial(async () => {
      const n = await this.driver.run('UPDATE runs SET heartbeat_ms = ? WHERE id = ?', [
        Math.round(atMs),
        runId,
      ]);
      if (n === 0) throw notFound(runId);
    });
  }

  finishRun(runId: string, f: RunFinish): Promise<void> {
    return this.serial(async () => {
      const n = await this.driver.run(
        'UPDATE runs SET status = ?, end_ms = ?, heartbeat_ms = ?, summary = ?, abort_reason = ? WHERE id = ?',
        [
          f.status,
          Math.round(f.endMs),
          Math.round(f.endMs),
          f.summary === undefined ? null : JSON.stringify(f.summary),
          f.abortReason ?? null,
          runId,
        ],
      );
      if (n === 0) throw notFound(runId);
    });
  }

  private async tagsOf(
    ex: SqlExecutor,
    ids: readonly string[],
  ): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>(ids.map((id) => [id, {}]));
    // Chunked so the parameter list stays small on both databases.
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const rows = await ex.all(
        `SELECT run_id, key, value FROM run_tags WHERE run_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY key`,
        chunk,
      );
      for (const row of rows) {
        const t = out.get(String(row.run_id));
        if (t) t[String(row.key)] = String(row.value);
      }
    }
    return out;
  }

  private toRecord(row: Record<string, unknown>, tags: Record<string, string>): RunRecord {
    return {
      id: String(row.id),
      kind: String(row.kind),
      status: String(row.status) as StoredRunStatus,
      specHash: str(row.spec_hash),
      startMs: Number(row.start_ms),
      endMs: num(row.end_ms),
      heartbeatMs: Number(row.heartbeat_ms),
      plannedDurationMs: num(row.planned_duration_ms),
      gitSha: str(row.git_sha),
      gitBranch: str(row.git_branch),
      environment: str(row.environment),
      tags,
      pid: num(row.pid),
      host: str(row.host),
      summary: parseJson<unknown>(row.summary, null),
      abortReason: str(row.abort_reason),
      meta: parseJson<Record<string, unknown>>(row.meta, {}),
      windowCount: Number(row.window_count ?? 0),
      eventCount: Number(row.event_count ?? 0),
    };
  }

  private async readRun(ex: SqlExecutor, id: string): Promise<RunRecord | undefined> {
    const rows = await ex.all(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = ?`, [id]);
    const row = rows[0];
    if (!row) return undefined;
    return this.toRecord(row, (await this.tagsOf(ex, [id])).get(id) ?? {});
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.serial(() => this.readRun(this.driver, id));
  }

  findRun(idOrPrefix: string): Promise<RunRecord | undefined> {
    return this.serial(async () => {
      const exact = await this.readRun(this.driver, idOrPrefix);
      if (exact) return exact;
      if (idOrPrefix.length === 0) return undefined;
      const pattern = `${idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = await this.driver.all(
        "SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6",
        [pattern],
      );
      if (rows.length === 0) return undefined;
      if (rows.length > 1) {
        const ids = rows.slice(0, 5).map((r) => String(r.id));
        throw usageError(
          'E_RUN_AMBIGUOUS',
          `run prefix "${idOrPrefix}" matches several runs: ${ids.join(', ')}${rows.length > 5 ? ', …' : ''}`,
          'give more characters of the id',
        );
      }
      return this.readRun(this.driver, String(rows[0]?.id));
    });
  }

  listRuns(q: RunQuery = {}): Promise<RunRecord[]> {
    return this.serial(async () => {
      const where: string[] = [];
      const params: SqlValue[] = [];
      const eq = (col: string, v: string | undefined) => {
        if (v === undefined) return;
        where.push(`r.${col} = ?`);
        params.push(v);
      };
      eq('kind', q.kind);
      eq('status', q.status);
      eq('git_branch', q.gitBranch);
      eq('environment', q.environment);
      eq('spec_hash', q.specHash);
      if (q.sinceMs !== undefined) {
        where.push('r.start_ms >= ?');
        params.push(Math.round(q.sinceMs));
      }
      for (const [k, v] of Object.entries(q.tags ?? {})) {
        where.push('EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.key = ? AND t.value = ?)');
        params.push(k, v);
      }
      const order = q.order === 'asc' ? 'ASC' : 'DESC';
      const limit = q.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
      const rows = await this.driver.all(
        `SELECT ${RUN_COLUMNS} FROM runs r${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
         ORDER BY r.start_ms ${order}, r.id ${order}${limit}`,
        params,
      );
      const tags = await this.tagsOf(
        this.driver,
        rows.map((r) => String(r.id)),
      );
      return rows.map((r) => this.toRecord(r, tags.get(String(r.id)) ?? {}));
    });
  }

  windows(runId: string): Promise<EncodedWindow[]> {
    return this.serial(async () => {
      const rows = await this.driver.all(
        `SELECT start_ms, duration_ms, window_key, latency_us, service_time_us, counters
         FROM windows WHERE run_id = ? ORDER BY seq`,
        [runId],
      );
      return rows.map((r) => ({
        startMs: Number(r.start_ms),
        durationMs: Number(r.duration_ms),
        key: parseJson<WindowKey>(r.window_key, {}),
        latencyUs: String(r.latency_us),
        serviceTimeUs: String(r.service_time_us),
        counters: parseJson<WindowCounters>(r.counters, {} as WindowCounters),
      }));
    });
  }

  events(runId: string): Promise<RunEvent[]> {
    return this.serial(async () => {
      const rows = await this.driver.all(
        'SELECT t_ms, kind, source, subject, data FROM events WHERE run_id = ? ORDER BY seq',
        [runId],
      );
      return rows.map((r) => ({
        t: Number(r.t_ms),
        kind: String(r.kind),
        source: String(r.source),
        subject: String(r.subject),
        data: parseJson<Record<string, unknown>>(r.data, {}),
      }));
    });
  }

  setBaseline(name: string, runId: string, atMs: number): Promise<Baseline> {
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        await this.requireRun(tx, runId);
        await tx.run(
          `INSERT INTO baselines (name, run_id, set_ms) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, set_ms = excluded.set_ms`,
          [name, runId, Math.round(atMs)],
        );
        return { name, runId, setAtMs: Math.round(atMs) };
      }),
    );
  }

  getBaseline(name: string): Promise<Baseline | undefined> {
    return this.serial(async () => {
      const rows = await this.driver.all('SELECT name, run_id, set_ms FROM baselines WHERE name = ?', [name]);
      const r = rows[0];
      return r ? { name: String(r.name), runId: String(r.run_id), setAtMs: Number(r.set_ms) } : undefined;
    });
  }

  listBaselines(): Promise<Baseline[]> {
    return this.serial(async () => {
      const rows = await this.driver.all('SELECT name, run_id, set_ms FROM baselines ORDER BY name');
      return rows.map((r) => ({ name: String(r.name), runId: String(r.run_id), setAtMs: Number(r.set_ms) }));
    });
  }

  importRun(x: RunExport): Promise<RunRecord> {
    return this.serial(async () => {
      const run = x.run;
      await this.driver.transaction(async (tx) => {
        const have = await tx.all('SELECT id FROM runs WHERE id = ?', [run.id]);
        if (have.length > 0) {
          throw new ShakedownError('E_RUN_EXISTS', `run "${run.id}" is already in the results store`, {
            exitCode: ExitCode.usage,
            hint: 'it was imported or recorded before; compare it by its id',
          });
        }
        // An export taken while the run was still going is, from here, a run that stopped.
        const running = run.status === 'running';
        await this.insertRun(tx, {
          ...run,
          status: running ? 'aborted' : run.status,
          abortReason: running ? 'exported-while-running' : run.abortReason,
          pid: null,
        });
        await this.insertWindows(tx, run.id, 0, x.windows);
        let seq = 0;
        for (const e of x.events) {
          await tx.run(
            'INSERT INTO events (run_id, seq, t_ms, kind, source, subject, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [run.id, seq++, Math.round(e.t), e.kind, e.source, e.subject, JSON.stringify(e.data ?? {})],
          );
        }
      });
      return (await this.readRun(this.driver, run.id)) as RunRecord;
    });
  }

  async schemaVersion(): Promise<number> {
    return this.version;
  }

  close(): Promise<void> {
    return this.serial(() => this.driver.close());
  }
}
