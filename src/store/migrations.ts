import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { SqlDriver } from './sql-driver.js';

/**
 * The schema, as numbered migrations applied in order, each in its own transaction, and
 * recorded in `schema_migrations`. A migration is never edited once released: changes are
 * new migrations appended here. The same statements serve SQLite and PostgreSQL; only the
 * integer type differs (SQLite's INTEGER is already 64-bit).
 */
export interface Migration {
  version: number;
  name: string;
  statements(d: { bigint: string }): string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, tags, windows, events, baselines',
    statements: ({ bigint }) => [
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'aborted')),
        spec_hash TEXT,
        git_sha TEXT,
        git_branch TEXT,
        environment TEXT,
        start_ms ${bigint} NOT NULL,
        end_ms ${bigint},
        heartbeat_ms ${bigint} NOT NULL,
        planned_duration_ms ${bigint},
        pid ${bigint},
        host TEXT,
        summary TEXT,
        abort_reason TEXT,
        meta TEXT NOT NULL DEFAULT '{}'
      )`,
      'CREATE INDEX runs_by_start ON runs (start_ms)',
      'CREATE INDEX runs_by_status ON runs (status)',
      `CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      )`,
      `CREATE TABLE windows (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq ${bigint} NOT NULL,
        start_ms ${bigint} NOT NULL,
        duration_ms ${bigint} NOT NULL,
        scenario TEXT,
        request TEXT,
        window_key TEXT NOT NULL,
        latency_us TEXT NOT NULL,
        service_time_us TEXT NOT NULL,
        counters TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
      `CREATE TABLE events (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq ${bigint} NOT NULL,
        t_ms ${bigint} NOT NULL,
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        subject TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
      `CREATE TABLE baselines (
        name TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id),
        set_ms ${bigint} NOT NULL
      )`,
    ],
  },
];

/** The newest schema version this build knows. */
export const latestSchemaVersion = migrations.reduce((m, x) => Math.max(m, x.version), 0);

/** Applies every migration newer than the database's version; returns the version after. */
export async function migrate(driver: SqlDriver, nowMs: number): Promise<number> {
  const bigint = driver.dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  return driver.withMigrationLock(async () => {
    await driver.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version ${bigint} PRIMARY KEY, name TEXT NOT NULL, applied_ms ${bigint} NOT NULL)`,
    );
    const version = async (ex: { all: SqlDriver['all'] }) =>
      Number((await ex.all('SELECT MAX(version) AS v FROM schema_migrations'))[0]?.v ?? 0);
    let current = await version(driver);
    if (current > latestSchemaVersion) {
      throw new ShakedownError(
        'E_STORE_SCHEMA',
        `the results store has schema version ${current}, newer than this shakedown knows (${latestSchemaVersion})`,
        { exitCode: ExitCode.environment, hint: 'upgrade shakedown, or point --store at another database' },
      );
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      current = await driver.transaction(async (tx) => {
        // Another process may have applied it while we waited for the write lock.
        const now = await version(tx);
        if (now >= m.version) return now;
        for (const s of m.statements({ bigint })) await tx.run(s);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          nowMs,
        ]);
        return m.version;
      });
    }
    return current;
  });
}
