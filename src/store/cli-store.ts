import { openStore, resolveStoreLocation } from './open.js';
import type { ResultsStore } from './types.js';

/**
 * The results store as the reading commands use it (`runs`, `baseline`, `compare`,
 * `trend`): opened on first use only, never created (a missing file is a clear error),
 * abandoned runs reported on stderr, and closed when the command is done.
 */
export class LazyStore {
  private opened: Promise<ResultsStore> | undefined;

  constructor(
    private readonly flag: string | undefined,
    private readonly ctx: { env: NodeJS.ProcessEnv; cwd: string; stderr: { write(s: string): unknown } },
    private readonly create = false,
  ) {}

  get location(): string {
    return resolveStoreLocation(this.flag, this.ctx.env, this.ctx.cwd);
  }

  get(): Promise<ResultsStore> {
    this.opened ??= openStore(this.location, { create: this.create }).then(({ store, recovered }) => {
      for (const r of recovered) {
        this.ctx.stderr.write(
          `store: run ${r.id} had stopped without finishing (${r.abortReason}); marked aborted\n`,
        );
      }
      return store;
    });
    return this.opened;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    const s = await this.opened.catch(() => undefined);
    await s?.close();
  }

  /** Runs `fn` with this store and closes it afterwards. */
  static async use<T>(lazy: LazyStore, fn: (s: LazyStore) => Promise<T>): Promise<T> {
    try {
      return await fn(lazy);
    } finally {
      await lazy.close();
    }
  }
}
