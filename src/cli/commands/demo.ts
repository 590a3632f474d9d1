import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { examplesDir } from '../../demo/example-service.js';
import { loadConfigFromSpec } from '../../load/from-spec.js';
import type { Output } from '../../load/output.js';
import { JsonFileOutput } from '../../load/outputs/json-file.js';
import { ProgressOutput } from '../../load/outputs/progress.js';
import { formatSummary } from '../../load/summary-text.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import type { CliContext } from '../context.js';
import { positiveInteger } from '../options.js';
import { exitCodeFor, runWithInterrupts } from './load.js';

interface DemoOptions {
  workers?: number;
  out?: string;
  quiet?: boolean;
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .summary('run the example shop behind the mesh and load it with 10,000 shoppers, nothing else needed')
    .description(
      'Brings the example shop up on this machine with `shakedown up` (examples/shop: gateway, catalog ×2, cart and orders as local processes behind the mesh, on free loopback ports), runs its shoppers scenario against it (ramp to 10,000 users in 15 s, hold 30 s, 3–7 s think time; browse 70 %, search 15 %, add to cart 10 %, checkout 5 %), prints the summary and tears everything down.',
    )
    .option('--workers <n>', 'load worker threads (default: half the cores, 1–8)', positiveInteger)
    .option('--out <file>', 'write the summary as JSON to this file')
    .option('-q, --quiet', 'no progress line')
    .addHelpText(
      'after',
      `
Exit codes: 0 every threshold held, 4 the shop could not start, 99 thresholds failed, 130 interrupted.`,
    )
    .action((options: DemoOptions) => runDemo(options, ctx));
}

/** What `shakedown up --json` prints once everything is ready. */
interface UpReady {
  event: 'up';
  mesh: Array<{ name: string; url: string }>;
}

async function runDemo(options: DemoOptions, ctx: CliContext): Promise<void> {
  const specFile = join(examplesDir(), 'shop', 'shakedown.yaml');
  const loaded = loadSpecFile(specFile);
  const stateDir = mkdtempSync(join(tmpdir(), 'shakedown-demo-'));
  const say = (line: string) => {
    if (!options.quiet) ctx.stderr.write(`${line}\n`);
  };
  // The shop runs in a `shakedown up` of its own: 10,000 shoppers hold 10,000 sockets on the
  // load side and as many on the mesh side, more than one process may open on many machines.
  const up = startUp(specFile, stateDir, ctx.env);
  try {
    say('starting the example shop (gateway, catalog ×2, cart, orders) behind the mesh…');
    const ready = await waitForUp(up, ctx);
    if (!ready) {
      ctx.setExitCode(ExitCode.interrupted);
      return;
    }
    const url = ready.mesh.find((l) => l.name === 'public')?.url as string;
    say(`shop ready at ${url}; ramping to 10,000 shoppers`);
    const section = loaded.spec.load as NonNullable<typeof loaded.spec.load>;
    const config = loadConfigFromSpec(section, {
      baseDir: loaded.dir,
      baseUrl: url,
      ...(options.workers ? { workers: options.workers } : {}),
    });
    const outputs: Output[] = [];
    if (!options.quiet && ctx.stderr.isTTY) outputs.push(new ProgressOutput(ctx.stderr));
    if (options.out) outputs.push(new JsonFileOutput(options.out));
    const summary = await runWithInterrupts(config, outputs, ctx);
    ctx.stdout.write(formatSummary(summary, { color: Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR }));
    ctx.setExitCode(exitCodeFor(summary));
  } finally {
    say('stopping the shop…');
    await stopUp(up);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function startUp(specFile: string, stateDir: string, env: NodeJS.ProcessEnv): ChildProcess {
  const bin = fileURLToPath(new URL('../../../bin/shakedown.js', import.meta.url));
  return spawn(
    process.execPath,
    [bin, 'up', specFile, '--free-ports', '--json', '--state-dir', stateDir, '--ready-timeout', '60s'],
    {
      // Its stdin is ours: when this process dies, `up` sees it close and stops everything.
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...env,
        SHAKEDOWN_EXIT_WITH_PARENT: '1',
        DATABASE_URL: '',
        ORDERS_DB: join(stateDir, 'orders.db'),
      },
    },
  );
}

/** Resolves with `up`'s ready line, or undefined after Ctrl-C; throws if `up` fails. */
function waitForUp(up: ChildProcess, ctx: CliContext): Promise<UpReady | undefined> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    up.stderr?.on('data', (d) => {
      stderr = (stderr + String(d)).slice(-4000);
    });
    const lines = createInterface({ input: up.stdout as NodeJS.ReadableStream });
    const off = ctx.onInterrupt(() => {
      done();
      resolve(undefined);
    });
    const onExit = (code: number | null) => {
      done();
      reject(
        new ShakedownError('E_DEMO_UP', `the shop did not start (shakedown up exited with ${code})`, {
          exitCode: ExitCode.environment,
          hint:
            stderr.trim().split('\n').slice(-5).join('\n  ') ||
            'run `shakedown up examples/shop/shakedown.yaml`',
        }),
      );
    };
    const done = () => {
      off();
      up.off('exit', onExit);
      lines.close();
      // Keep reading what `up` prints (its events), so it never waits on a full pipe.
      up.stdout?.resume();
    };
    up.on('exit', onExit);
    lines.on('line', (line) => {
      if (!line.startsWith('{"event":"up"')) return;
      done();
      resolve(JSON.parse(line) as UpReady);
    });
  });
}

/** SIGTERM, then SIGKILL after the shop's grace periods; resolves when `up` has exited. */
async function stopUp(up: ChildProcess): Promise<void> {
  if (up.exitCode !== null || up.signalCode !== null) return;
  const exited = new Promise<void>((r) => up.once('exit', () => r()));
  up.kill('SIGTERM');
  const timer = setTimeout(() => up.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
  up.stdin?.destroy();
}
