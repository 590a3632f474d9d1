import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { formatDurationMs } from '../../core/units.js';
import { LazyStore } from '../../store/cli-store.js';
import { exportRun, readRunExportFile } from '../../store/export-format.js';
import { parseTags } from '../../store/load-flags.js';
import type { RunRecord, StoredRunStatus } from '../../store/types.js';
import type { CliContext } from '../context.js';
import { collect, positiveInteger } from '../options.js';

/** `shakedown runs`: list, show, export and import recorded runs. */
interface StoreOpt {
  store?: string;
}

interface Headline {
  requests: number | null;
  rps: number | null;
  errorRate: number | null;
  p99Ms: number | null;
}

/** The few numbers a listing shows, from a load summary or recovered totals. */
export function headline(summary: unknown): Headline {
  const s = (summary ?? {}) as {
    requests?: unknown;
    rps?: unknown;
    errorRate?: unknown;
    latencyMs?: { p99?: unknown };
  };
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { requests: n(s.requests), rps: n(s.rps), errorRate: n(s.errorRate), p99Ms: n(s.latencyMs?.p99) };
}

function when(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function listRows(runs: readonly RunRecord[]): string[][] {
  const rows = [
    [
      'ID',
      'KIND',
      'STATUS',
      'STARTED',
      'DURATION',
      'REQUESTS',
      'P99 ms',
      'ERRORS',
      'BRANCH',
      'COMMIT',
      'TAGS',
    ],
  ];
  for (const r of runs) {
    const h = headline(r.summary);
    const tags = Object.entries(r.tags).map(([k, v]) => `${k}=${v}`);
    if (r.environment) tags.unshift(`environment=${r.environment}`);
    rows.push([
      r.id,
      r.kind,
      r.status === 'aborted' && r.abortReason ? `aborted (${r.abortReason})` : r.status,
      when(r.startMs),
      r.endMs !== null ? formatDurationMs(r.endMs - r.startMs) : '…',
      h.requests !== null ? String(h.requests) : '–',
      h.p99Ms !== null ? String(h.p99Ms) : '–',
      h.errorRate !== null ? `${(100 * h.errorRate).toFixed(2)} %` : '–',
      r.gitBranch ?? '',
      r.gitSha?.slice(0, 7) ?? '',
      tags.join(','),
    ]);
  }
  return rows;
}

async function requireRun(lazy: LazyStore, id: string): Promise<RunRecord> {
  const r = await (await lazy.get()).findRun(id);
  if (!r)
    throw usageError(
      'E_RUN_NOT_FOUND',
      `no run "${id}" in ${lazy.location}`,
      'list them with `shakedown runs list`',
    );
  return r;
}

export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program
    .command('runs')
    .summary('list, show, export and import recorded runs')
    .description(
      'Every run of shakedown load is recorded in the results store as it goes (windows each second, events, the final status and summary). A run whose process died is marked aborted, with what it measured, the next time the store is opened.',
    )
    .addHelpText(
      'after',
      `
Examples:
  shakedown runs                       # the 20 newest runs
  shakedown runs list --branch main --status passed --json
  shakedown runs show 20261203-1412
  shakedown runs export 20261203-1412 -o run.json
  shakedown runs import run.json --store postgres://ci@db.internal/shakedown`,
    );

  runs
    .command('list', { isDefault: true })
    .description('list runs, newest first')
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .option('--limit <n>', 'at most this many runs (default 20)', positiveInteger)
    .option('--kind <kind>', 'only runs of this kind (load, chaos, rollout, validate)')
    .option('--status <status>', 'only runs with this status (running, passed, failed, aborted)')
    .option('--branch <name>', 'only runs made on this git branch')
    .option(
      '--tag <key=value>',
      'only runs with this tag (repeatable; environment=NAME filters the environment)',
      collect,
    )
    .option('--json', 'print the runs as JSON')
    .action(
      async (
        o: StoreOpt & {
          limit?: number;
          kind?: string;
          status?: string;
          branch?: string;
          tag?: string[];
          json?: boolean;
        },
      ) => {
        const statuses = ['running', 'passed', 'failed', 'aborted'];
        if (o.status !== undefined && !statuses.includes(o.status)) {
          throw usageError('E_USAGE', `--status: expected one of ${statuses.join(', ')}, got "${o.status}"`);
        }
        const { tags, environment } = parseTags(o.tag);
        await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
          const list = await (await lazy.get()).listRuns({
            limit: o.limit ?? 20,
            ...(o.kind ? { kind: o.kind } : {}),
            ...(o.status ? { status: o.status as StoredRunStatus } : {}),
            ...(o.branch ? { gitBranch: o.branch } : {}),
            ...(environment ? { environment } : {}),
            ...(Object.keys(tags).length ? { tags } : {}),
          });
          if (o.json) ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          else if (list.length === 0) ctx.stdout.write(`no runs in ${lazy.location}\n`);
          else ctx.stdout.write(table(listRows(list)));
        });
      },
    );

  runs
    .command('show')
    .description('show one run: its record, summary headline, events and baselines')
    .argument('<id>', 'run id or unique prefix')
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .option('--json', 'print the run and its events as JSON')
    .action(async (id: string, o: StoreOpt & { json?: boolean }) => {
      await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
        const store = await lazy.get();
        const run = await requireRun(lazy, id);
        const events = await store.events(run.id);
        const baselines = (await store.listBaselines()).filter((b) => b.runId === run.id).map((b) => b.name);
        if (o.json) {
          ctx.stdout.write(`${JSON.stringify({ run, baselines, events }, null, 2)}\n`);
          return;
        }
        const h = headline(run.summary);
        const lines = [
          `run       ${run.id}`,
          `kind      ${run.kind}`,
          `status    ${run.status}${run.abortReason ? ` (${run.abortReason})` : ''}`,
          `started   ${when(run.startMs)}`,
          `ended     ${run.endMs !== null ? `${when(run.endMs)} (${formatDurationMs(run.endMs - run.startMs)})` : '– (running)'}`,
          `planned   ${run.plannedDurationMs !== null ? formatDurationMs(run.plannedDurationMs) : '–'}`,
          `windows   ${run.windowCount}`,
          `requests  ${h.requests ?? '–'}${h.rps !== null ? ` (${h.rps}/s)` : ''}`,
          `errors    ${h.errorRate !== null ? `${(100 * h.errorRate).toFixed(3)} %` : '–'}`,
          `p99       ${h.p99Ms !== null ? `${h.p99Ms} ms` : '–'}`,
          `git       ${run.gitSha ?? '–'}${run.gitBranch ? ` (${run.gitBranch})` : ''}`,
          `env       ${run.environment ?? '–'}`,
          `tags      ${
            Object.entries(run.tags)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ') || '–'
          }`,
          `spec      ${run.specHash ?? '–'}`,
          `process   ${run.pid ?? '–'}@${run.host ?? '–'}`,
          `baseline  ${baselines.join(', ') || '–'}`,
          '',
          `events (${events.length})`,
          ...events.map((e) => `  ${when(e.t)}  ${e.kind.padEnd(18)} ${e.source.padEnd(8)} ${e.subject}`),
        ];
        ctx.stdout.write(`${lines.join('\n')}\n`);
      });
    });

  runs
    .command('export')
    .description('write a run with its windows and events as JSON (to a file or stdout)')
    .argument('<id>', 'run id or unique prefix')
    .option('-o, --out <file>', 'write to this file (default: stdout)')
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .action(async (id: string, o: StoreOpt & { out?: string }) => {
      await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
        const run = await requireRun(lazy, id);
        const text = `${JSON.stringify(await exportRun(await lazy.get(), run))}\n`;
        if (o.out && o.out !== '-') {
          writeFileSync(resolve(ctx.cwd, o.out), text);
          ctx.stderr.write(
            `exported run ${run.id} (${run.windowCount} windows, ${run.eventCount} events) to ${o.out}\n`,
          );
        } else {
          ctx.stdout.write(text);
        }
      });
    });

  runs
    .command('import')
    .description('add exported runs to the results store (created if missing)')
    .argument('<files...>', 'files written by `shakedown runs export`')
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .action(async (files: string[], o: StoreOpt) => {
      // Validate every file before storing any, so a bad file imports nothing.
      const exports = files.map((f) => readRunExportFile(resolve(ctx.cwd, f)));
      await LazyStore.use(new LazyStore(o.store, ctx, true), async (lazy) => {
        const store = await lazy.get();
        for (const x of exports) {
          const r = await store.importRun(x);
          ctx.stdout.write(`imported run ${r.id} (${r.windowCount} windows, ${r.eventCount} events)\n`);
        }
      });
    });
}
