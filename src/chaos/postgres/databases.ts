import type { PostgresCluster } from './cluster.js';
import type { WriteChecker } from './writer.js';

/**
 * The databases an experiment started (the `databases:` of an experiment), by name: the
 * PostgreSQL primary + streaming replica and the writer that checks acknowledged writes.
 * Database faults and the failover action look theirs up here.
 */
export interface RunningDatabase {
  name: string;
  cluster: PostgresCluster;
  /** The mesh TCP listener the app reaches the database through. */
  listener: string;
  writer: WriteChecker | undefined;
}

export class DatabaseRegistry {
  private readonly byName = new Map<string, RunningDatabase>();

  add(db: RunningDatabase): void {
    this.byName.set(db.name, db);
  }

  get(name: string): RunningDatabase {
    const db = this.byName.get(name);
    if (!db)
      throw new Error(
        `no database "${name}" in this experiment; databases: ${[...this.byName.keys()].join(', ') || '(none)'}`,
      );
    return db;
  }

  all(): RunningDatabase[] {
    return [...this.byName.values()];
  }
}
