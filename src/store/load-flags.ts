import { Option } from 'commander';
import { usageError } from '../core/errors.js';
import { readGitInfo } from './git-info.js';
import { StoreOutput } from './load-output.js';
import { openStore, redactLocation, resolveStoreLocation } from './open.js';

/**
 * The store flags of run-producing commands (`--store`, `--no-store`, `--tag`), and the
 * StoreOutput they configure, so `shakedown load` needs only a few lines for persistence.
 */
export interface StoreFlags {
  /** A path, a postgres:// URL, or false for --no-store. */
  store?: string | false;
  tag?: string[];
}

function collectTag(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--store <path|url>`. */
export function storeOption(): Option {
  return new Option(
    '--store <path|url>',
    'record the run in this results store: an SQLite file or a postgres:// URL (default .shakedown/results.db, or SHAKEDOWN_STORE)',
  );
}

/** `--no-store`. */
export function noStoreOption(): Option {
  return new Option('--no-store', 'do not record the run');
}

/** `--tag key=value`, repeatable. */
export function tagOption(): Option {
  return new Option(
    '--tag <key=value>',
    'tag the recorded run (repeatable); environment=NAME sets its environment',
  ).argParser(collectTag);
}

/** Parses `--tag k=v` flags; `environment`/`env` becomes the run's environment. */
export function parseTags(flags: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
  const tags: Record<string, string> = {};
  let environment: string | null = env.SHAKEDOWN_ENVIRONMENT ?? null;
  for (const f of flags) {
    const m = /^([A-Za-z0-9_.-]+)=(.*)$/.exec(f);
    if (!m) throw usageError('E_TAG', `invalid --tag "${f}": expected key=value, such as team=checkout`);
    const [, k, v] = m as unknown as [string, string, string];
    if (k === 'environment' || k === 'env') environment = v;
    else tags[k] = v;
  }
  return { tags, environment };
}

export interface StoreForRun {
  output: StoreOutput;
  location: string;
  /** "run ID recorded in LOCATION", for stderr. */
  message(): string;
  close(): Promise<void>;
}

export async function storeOutputFor(
  flags: StoreFlags,
  ctx: { env: NodeJS.ProcessEnv; cwd: string; stderr: { write(s: string): unknown } },
): Promise<StoreForRun | undefined> {
  if (flags.store === false) return undefined;
  const { tags, environment } = parseTags(flags.tag, ctx.env);
  const location = resolveStoreLocation(flags.store, ctx.env, ctx.cwd);
  const { store, recovered } = await openStore(location, { create: true });
  for (const r of recovered) {
    ctx.stderr.write(`store: run ${r.id} had stopped without finishing (${r.abortReason}); marked aborted\n`);
  }
  const git = readGitInfo(ctx.cwd);
  const output = new StoreOutput(store, {
    gitSha: git.sha,
    gitBranch: git.branch,
    environment,
    tags,
    onError: (e) =>
      ctx.stderr.write(
        `\nwarning: the results store failed, the run goes on unrecorded: ${(e as Error).message}\n`,
      ),
  });
  const shown = redactLocation(location);
  return {
    output,
    location,
    message: () =>
      output.runId
        ? `run ${output.runId} ${output.error ? 'partly recorded' : 'recorded'} in ${shown}\n`
        : '',
    close: () => store.close(),
  };
}
