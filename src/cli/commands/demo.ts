import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { RolloutController } from '../../delivery/controller.js';
import { FleetAdminClient } from '../../delivery/fleet-port.js';
import { rolloutFromSection } from '../../delivery/from-spec.js';
import type { RolloutSpec } from '../../delivery/model.js';
import { type RolloutRun, type RolloutTargets, runRollout } from '../../delivery/run-rollout.js';
import { examplesDir } from '../../demo/example-service.js';
import { readAdminToken } from '../../fleet/admin-token.js';
import { loadConfigFromSpec } from '../../load/from-spec.js';
import type { Output } from '../../load/output.js';
import { JsonFileOutput } from '../../load/outputs/json-file.js';
import { ProgressOutput } from '../../load/outputs/progress.js';
import { formatSummary } from '../../load/summary-text.js';
import { MeshAdminClient } from '../../mesh/admin/client.js';
import { type LoadedSpec, loadSpecFile } from '../../spec/load-spec.js';
import type { CliContext } from '../context.js';
import { positiveInteger } from '../options.js';
import { exitCodeFor, runWithInterrupts } from './load.js';

interface DemoOptions {
  workers?: number;
  out?: string;
  quiet?: boolean;
  rollout: boolean;
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .summary('run the example shop behind the mesh and load it with 10,000 shoppers, nothing else needed')
    .description(
      'Brings the example shop up on this machine with `shakedown up` (examples/shop: gateway, catalog ×2, cart and orders as local processes behind the mesh, on free loopback ports), runs its shoppers scenario against it (ramp to 10,000 users in 15 s, hold 30 s, 3–7 s think time; browse 70 %, search 15 %, add to cart 10 %, checkout 5 %) and prints the summary; then rolls out a slow, failing catalog v2 (canary 20 % → 50 %, judged against v1: rolled back at its first analysis) and a good v3 (promoted), says how fast, and tears everything down.',
    )
    .option('--workers <n>', 'load worker threads (default: half the cores, 1–8)', positiveInteger)
    .option('--out <file>', 'write the summary as JSON to this file')
    .option('-q, --quiet', 'no progress line')
    .option('--no-rollout', 'skip the rollout stage (a slow catalog v2 rolled back, a good v3 promoted)')
    .addHelpText(
      'after',
      `
Exit codes: 0 every threshold held and both rollouts went as they should, 1 a rollout did not
(the slow one promoted, or the good one rolled back), 4 the shop could not start,
99 thresholds failed, 130 interrupted.`,
    )
    .action((options: DemoOptions) => runDemo(options, ctx));
}

/** What `shakedown up --json` prints once everything is ready. */
interface UpReady {
  event: 'up';
  adminUrl: string;
  tokenFile: string;
  mesh: Array<{ name: string; url: string }>;
}

/**
 * The delivery stage: the spec's canary of catalog (`rollout:` section) with the slow,
 * failing v2, then the same canary with the good v3, through `up`'s admin API as `shakedown
 * rollout start` would. Resolves true when v2 was rolled back and v3 promoted, undefined
 * after Ctrl-C (the rollout in progress is rolled back first).
 */
async function rolloutStage(
  loaded: LoadedSpec,
  up: UpReady,
  say: (line: string) => void,
  ctx: CliContext,
): Promise<boolean | undefined> {
  const targets: RolloutTargets = {
    mesh: MeshAdminClient.fromTokenFile(up.adminUrl, up.tokenFile),
    fleet: new FleetAdminClient(up.adminUrl, readAdminToken(up.tokenFile)),
    listenerUrl: (name) => {
      const l = up.mesh.find((x) => x.name === (name ?? 'public')) ?? up.mesh[0];
      return l?.url as string;
    },
  };
  const slow = rolloutFromSection(loaded.spec.rollout, 'catalog');
  const stages = [
    { spec: slow, expect: 'rolled back', what: `catalog ${slow.version} (150 ms slower, 2 % errors)` },
    { spec: { ...slow, version: 'v3' }, expect: 'promoted', what: 'catalog v3 (a good release)' },
  ] as const;
  const lines: string[] = ['', '  ROLLOUTS', ''];
  let asExpected = true;
  for (const stage of stages) {
    say(`rolling out ${stage.what}: canary ${describeSteps(stage.spec)}…`);
    let controller: RolloutController | undefined;
    let interrupted = false;
    const off = ctx.onInterrupt(() => {
      interrupted = true;
      controller?.abort('interrupted (Ctrl-C)', 'user');
    });
    let run: RolloutRun;
    try {
      run = await runRollout(targets, stage.spec, {
        onController: (c) => {
          controller = c;
        },
        baseDir: loaded.dir,
      });
    } finally {
      off();
    }
    if (interrupted) return undefined;
    const f = run.figures;
    const outcome = run.ok ? 'promoted' : 'rolled back';
    if (outcome !== stage.expect) asExpected = false;
    const mark = outcome === stage.expect ? '✓' : '✗';
    lines.push(
      run.ok
        ? `    ${mark} ${stage.what}: promoted in ${f.promotedS} s (ready ${f.canaryReadyS} s after the start)`
        : `    ${mark} ${stage.what}: rolled back — ${f.onsetToRollbackS} s from its first traffic to all traffic on ${run.status.stableVersion ?? 'stable'}, ${f.windowCloseToRollbackS ?? '–'} s after the failing analysis window closed`,
    );
    if (!run.ok && run.status.message) lines.push(`        why: ${run.status.message}`);
  }
  ctx.stdout.write(`${lines.join('\n')}\n\n`);
  return asExpected;
}

function describeSteps(spec: RolloutSpec): string {
  if (spec.strategy.type !== 'canary') return spec.strategy.type;
  const weights = spec.strategy.steps.flatMap((s) => (s.kind === 'setWeight' ? [`${s.weight} %`] : []));
  return `${weights.join(' → ')} → promote, judged against the stable version at each step`;
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
    if (options.rollout && summary.status !== 'aborted') {
      const rolledAsExpected = await rolloutStage(loaded, ready, say, ctx);
      if (rolledAsExpected === undefined) ctx.setExitCode(ExitCode.interrupted);
      else if (!rolledAsExpected && exitCodeFor(summary) === ExitCode.ok)
        ctx.setExitCode(ExitCode.rolledBack);
    }
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
