/**
 * The few things the SQL results store needs from a database connection. Statements use
 * `?` placeholders; a driver translates them for its database. Both drivers run one
 * statement or one transaction at a time (the store serialises its calls).
 */
export type SqlValue = string | number | null;

export interface SqlExecutor {
  /** Rows of a query. */
  all(sql: string, params?: readonly SqlValue[]): Promise<Array<Record<string, unknown>>>;
  /** A statement; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` holding the database's migration lock (a no-op for SQLite, whose write
   * transactions already exclude each other; an advisory lock on PostgreSQL).
   */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
