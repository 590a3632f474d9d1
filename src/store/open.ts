import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { PostgresDriver } from './postgres-driver.js';
import { defaultLiveness, type LivenessContext, recoverAbandonedRuns } from './recovery.js';
import { SqlResultsStore } from './sql-store.js';
import { SqliteDriver } from './sqlite-driver.js';
import type { ResultsStore, RunRecord } from './types.js';

/**
 * Where results live and how to open them. `--store` wins, then `SHAKEDOWN_STORE`, then
 * `.shakedown/results.db` in the working directory. A `postgres://` (or `postgresql://`)
 * URL selects PostgreSQL; anything else is an SQLite file. Opening a store applies its
 * migrations and marks runs whose process is gone as aborted.
 */
export const defaultStorePath = '.shakedown/results.db';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The store location for a flag value, environment and working directory. */
export function resolveStoreLocation(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const raw = flag ?? env.SHAKEDOWN_STORE ?? defaultStorePath;
  return isPostgresUrl(raw) ? raw : resolve(cwd, raw);
}

/** A URL with its password replaced, for messages. */
export function redactLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export interface OpenStoreOptions {
  /** Create an SQLite file that does not exist yet (producers do; readers do not). */
  create?: boolean;
  /** Skip marking abandoned runs (tests of recovery itself). */
  recover?: boolean;
  liveness?: LivenessContext;
}

export interface OpenedStore {
  store: ResultsStore;
  /** Runs found abandoned and marked aborted while opening. */
  recovered: RunRecord[];
}

export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const shown = redactLocation(location);
  let store: ResultsStore;
  try {
    if (isPostgresUrl(location)) {
      store = await SqlResultsStore.open(new PostgresDriver(location), shown);
    } else {
      if (!options.create && !existsSync(location)) {
        throw new ShakedownError('E_NO_STORE', `no results store at ${location}`, {
          exitCode: ExitCode.environment,
          hint: 'runs are recorded by `shakedown load` (default .shakedown/results.db); pass --store PATH|URL or set SHAKEDOWN_STORE',
        });
      }
      store = await SqlResultsStore.open(new SqliteDriver(location), shown);
    }
  } catch (e) {
    if (e instanceof ShakedownError) throw e;
    throw new ShakedownError(
      'E_STORE_OPEN',
      `cannot open the results store ${shown}: ${(e as Error).message}`,
      {
        exitCode: ExitCode.environment,
        cause: e,
      },
    );
  }
  const recovered =
    options.recover === false ? [] : await recoverAbandonedRuns(store, options.liveness ?? defaultLiveness());
  return { store, recovered };
}
