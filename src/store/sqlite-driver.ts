import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { sleepMs } from '../core/clock.js';
import type { SqlDriver, SqlExecutor, SqlValue } from './sql-driver.js';

/**
 * SQLite through better-sqlite3 (v12: v13 crashes on Node 20). WAL mode, so readers never
 * block the writer and a killed writer loses at most its open transaction;
 * `synchronous=NORMAL` is durable against process crashes (only a power loss may drop the
 * last transactions).
 *
 * Several processes (or connections) share one file. better-sqlite3 is synchronous, and
 * SQLite's busy timeout would block the whole event loop — including the transaction
 * that holds the lock, when both connections live in one process. So the busy timeout is
 * tiny, and taking the write lock is retried asynchronously, with back-off, up to
 * `lockTimeoutMs`. Every write runs in such a transaction.
 */
export interface SqliteDriverOptions {
  /** How long to keep trying to take the write lock (default 10 s). */
  lockTimeoutMs?: number;
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED';
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly lockTimeoutMs: number;

  constructor(path: string, options: SqliteDriverOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.db = new Database(path);
    this.db.pragma('busy_timeout = 20');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
  }

  private readonly exec: SqlExecutor = {
    all: async (sql, params = []) =>
      this.db.prepare(sql).all(...(params as SqlValue[])) as Array<Record<string, unknown>>,
    run: async (sql, params = []) => this.db.prepare(sql).run(...(params as SqlValue[])).changes,
  };

  async all(sql: string, params?: readonly SqlValue[]) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.exec.all(sql, params);
      } catch (e) {
        if (!isBusy(e) || attempt >= 50) throw e;
        await sleepMs(10);
      }
    }
  }

  run(sql: string, params?: readonly SqlValue[]) {
    return this.transaction((tx) => tx.run(sql, params));
  }

  private async begin(): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let waitMs = 2; ; waitMs = Math.min(100, waitMs * 2)) {
      try {
        // IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading.
        this.db.prepare('BEGIN IMMEDIATE').run();
        return;
      } catch (e) {
        if (!isBusy(e) || Date.now() >= deadline) throw e;
        await sleepMs(waitMs);
      }
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    await this.begin();
    try {
      const out = await fn(this.exec);
      this.db.prepare('COMMIT').run();
      return out;
    } catch (e) {
      if (this.db.inTransaction) this.db.prepare('ROLLBACK').run();
      throw e;
    }
  }

  withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** `PRAGMA integrity_check` ("ok" when the file is sound). */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
