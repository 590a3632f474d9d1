import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { LazyStore } from '../../store/cli-store.js';
import type { CliContext } from '../context.js';

/** `shakedown baseline`: name runs to compare against (`compare main latest`). */
export function registerBaseline(program: Command, ctx: CliContext): void {
  const baseline = program
    .command('baseline')
    .summary('name a run as a baseline, list baselines')
    .description(
      'A baseline is a name for a run — `main`, `release-1.4` — that `shakedown compare` accepts in place of a run id. Setting an existing name moves it to the new run.',
    )
    .addHelpText(
      'after',
      `
Examples:
  shakedown baseline set main 20261203-1412
  shakedown baseline set main latest
  shakedown baseline list --json`,
    );

  baseline
    .command('set')
    .description('point a baseline name at a run')
    .argument('<name>', 'baseline name: letters, digits, ".", "_", "-" and "/"')
    .argument('<run>', 'run id, unique prefix, or "latest" (the newest finished run)')
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .option('--json', 'print the baseline as JSON')
    .action(async (name: string, runArg: string, o: { store?: string; json?: boolean }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/.test(name) || name === 'latest') {
        throw usageError(
          'E_BASELINE_NAME',
          `invalid baseline name "${name}": use letters, digits, ".", "_", "-" and "/" (and not "latest")`,
        );
      }
      await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
        const store = await lazy.get();
        const run =
          runArg === 'latest'
            ? (await store.listRuns({ limit: 20 })).find((r) => r.status !== 'running')
            : await store.findRun(runArg);
        if (!run)
          throw usageError(
            'E_RUN_NOT_FOUND',
            `no run "${runArg}" in ${lazy.location}`,
            'list them with `shakedown runs list`',
          );
        const b = await store.setBaseline(name, run.id, Date.now());
        if (o.json) ctx.stdout.write(`${JSON.stringify(b, null, 2)}\n`);
        else ctx.stdout.write(`baseline ${b.name} → run ${b.runId} (${run.status})\n`);
      });
    });

  baseline
    .command('list', { isDefault: true })
    .description('list baselines')
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .option('--json', 'print the baselines as JSON')
    .action(async (o: { store?: string; json?: boolean }) => {
      await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
        const list = await (await lazy.get()).listBaselines();
        if (o.json) ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0)
          ctx.stdout.write('no baselines (set one with `shakedown baseline set NAME RUN`)\n');
        else {
          const w = Math.max(...list.map((b) => b.name.length));
          for (const b of list)
            ctx.stdout.write(`${b.name.padEnd(w)}  ${b.runId}  set ${new Date(b.setAtMs).toISOString()}\n`);
        }
      });
    });
}
