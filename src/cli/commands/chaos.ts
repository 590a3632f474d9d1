import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { remoteControls } from '../../chaos/control/remote.js';
import { dnsName, renderExperiment } from '../../chaos/render/render.js';
import { dryRun, formatDryRun } from '../../chaos/run/dry-run.js';
import type { ChaosReport } from '../../chaos/run/report.js';
import { eventLine, formatReport } from '../../chaos/run/report-text.js';
import { checkCron, nextRunMs } from '../../chaos/run/schedule.js';
import { runChaosSession } from '../../chaos/run/session.js';
import { stopChaos } from '../../chaos/run/stop.js';
import { loadChaosTarget, pickExperiments } from '../../chaos/target.js';
import { usageError } from '../../core/errors.js';
import type { RunEvent } from '../../core/event.js';
import { ExitCode } from '../../core/exit-codes.js';
import { parseDurationMs } from '../../core/units.js';
import { readUpState } from '../../fleet/up-state.js';
import { onFreePorts } from '../../platform/free-ports.js';
import { readGitInfo } from '../../store/git-info.js';
import { noStoreOption, parseTags, type StoreFlags, storeOption, tagOption } from '../../store/load-flags.js';
import { openStore, redactLocation, resolveStoreLocation } from '../../store/open.js';
import type { CliContext } from '../context.js';
import { collect, integer, positiveInteger } from '../options.js';

interface RunOptions extends StoreFlags {
  experiment?: string[];
  schedule?: string;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  stateDir: string;
  adminUrl?: string;
  tokenFile?: string;
  freePorts?: boolean;
  lease?: string;
  seed?: number;
  workers?: number;
  readyTimeout: string;
}

/** Events worth a progress line. */
const progressKinds =
  /^(fault\.(injected|reverted|lost|revert-failed)|hypothesis\.|experiment\.(started|aborting)|action\.|rollback\.|database\.|replica\.(exited|ready)|abort)/;

export function registerChaos(program: Command, ctx: CliContext): void {
  const chaos = program
    .command('chaos')
    .summary('chaos experiments: faults under load, hypothesis, availability, MTTR')
    .description(
      'Runs chaos experiments (a steady-state hypothesis checked before, during and after a method of faults, with the load of a spec running through it) and measures availability, latency, time-to-detect and time-to-recover. Every fault has a TTL, is journaled before it is injected, and is a lease that lapses by itself if the controller dies.',
    );
  const configure = (c: Command) =>
    c
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });

  configure(
    chaos
      .command('run')
      .summary('run experiments (of a spec, or an experiment file)')
      .argument('[target]', 'a spec with a chaos: section, or an experiment file', 'shakedown.yaml')
      .option('--experiment <name>', 'run only this experiment (repeatable; default all)', collect)
      .option(
        '--schedule <name>',
        "run a schedule of the spec's chaos.schedules (game days) until done or Ctrl-C",
      )
      .option('--dry-run', 'print the plan and the targets; inject nothing')
      .option('--json', 'print the reports as JSON on stdout')
      .option('-q, --quiet', 'no progress lines')
      .option('--state-dir <dir>', 'where the revert journal, logs and admin token go', '.shakedown')
      .option('--admin-url <url>', 'act on the platform behind this admin API instead of starting one')
      .option('--token-file <file>', 'the admin token file (with --admin-url)')
      .option('--free-ports', "start the platform on free ports instead of the spec's fixed ones")
      .option(
        '--lease <d>',
        'fault lease: renewed while running, lapses this long after the controller dies (default chaos.lease, 10s)',
      )
      .option('--seed <n>', 'seed for target selection and the load', integer)
      .option('--workers <n>', 'load worker threads', positiveInteger)
      .option('--ready-timeout <d>', 'how long the platform gets to be ready', '60s')
      .addOption(storeOption())
      .addOption(noStoreOption())
      .addOption(tagOption())
      .addHelpText(
        'after',
        `
Examples:
  shakedown chaos run examples/shop/shakedown.yaml --experiment catalog-kill
  shakedown chaos run experiment.yaml --dry-run
  shakedown chaos run --admin-url http://127.0.0.1:9901 --token-file .shakedown/admin-token --json
  shakedown chaos run --schedule gameday

Exit codes: 0 every hypothesis held, 99 a hypothesis failed (or writes were lost, or not steady
before), 2 usage or spec error, 3 platform unreachable, 4 environment, 130 interrupted (reverted).`,
      ),
  ).action((target: string, options: RunOptions) => runCommand(target, options, ctx));

  configure(
    chaos
      .command('render')
      .summary('render experiments as Chaos Mesh objects for Kubernetes')
      .argument('[target]', 'a spec with a chaos: section, or an experiment file', 'shakedown.yaml')
      .option('--target <platform>', 'kubernetes (Chaos Mesh)', 'kubernetes')
      .option('--namespace <ns>', 'namespace of the objects and the pods', 'default')
      .option('--experiment <name>', 'only this experiment (repeatable)', collect)
      .option('-o, --out <file>', 'write the YAML here instead of stdout')
      .addHelpText(
        'after',
        `
A method of one fault becomes one object (PodChaos, NetworkChaos, StressChaos, HTTPChaos); a
longer one a Workflow (Serial / Parallel / Suspend templates, a Schedule for a fault repeated
with every). Pods are selected by the label app=<service> (and version=<version>).

Examples:
  shakedown chaos render examples/shop/shakedown.yaml --namespace shop | kubectl apply -f -`,
      ),
  ).action(
    (target: string, options: { target: string; namespace: string; experiment?: string[]; out?: string }) =>
      renderCommand(target, options, ctx),
  );

  configure(
    chaos
      .command('stop')
      .summary('revert every fault still in force (journal and admin API)')
      .option('--state-dir <dir>', 'the state directory of the chaos runs', '.shakedown')
      .option('--admin-url <url>', 'also sweep this admin API for chaos faults')
      .option('--token-file <file>', 'the admin token file (with --admin-url)')
      .option('--json', 'print what was reverted as JSON')
      .addHelpText(
        'after',
        `
Running controllers are asked to stop (SIGINT: they revert and exit 130); what the journal
still lists is reverted from its data; the admin API (of a running \`shakedown up\` found in
the state directory, or --admin-url) is swept for faults and toxics named chaos-*.

Exit codes: 0 done, 2 usage error.`,
      ),
  ).action((options: { stateDir: string; adminUrl?: string; tokenFile?: string; json?: boolean }) =>
    stopCommand(options, ctx),
  );
}

function attachTarget(options: { stateDir: string; adminUrl?: string; tokenFile?: string }, ctx: CliContext) {
  const stateDir = resolve(ctx.cwd, options.stateDir);
  if (options.adminUrl) {
    if (!options.tokenFile) throw usageError('E_USAGE', '--admin-url needs --token-file');
    return { adminUrl: options.adminUrl, tokenFile: resolve(ctx.cwd, options.tokenFile) };
  }
  const up = readUpState(stateDir);
  return up ? { adminUrl: up.adminUrl, tokenFile: up.tokenFile } : undefined;
}

async function runCommand(targetPath: string, options: RunOptions, ctx: CliContext): Promise<void> {
  const path = resolve(ctx.cwd, targetPath);
  if (!existsSync(path) && targetPath === 'shakedown.yaml')
    throw usageError(
      'E_USAGE',
      'no target: give a spec with a chaos: section or an experiment file (no shakedown.yaml here)',
    );
  const target = loadChaosTarget(path);
  if (options.freePorts && target.loaded) target.loaded = onFreePorts(target.loaded);
  const schedule = options.schedule ? target.schedules[options.schedule] : undefined;
  if (options.schedule && !schedule)
    throw usageError(
      'E_CHAOS_SCHEDULE',
      `no schedule "${options.schedule}"`,
      `schedules: ${Object.keys(target.schedules).join(', ') || '(none)'}`,
    );
  if (schedule?.cron) checkCron(schedule.cron);
  const experiments = pickExperiments(target, schedule ? schedule.experiments : options.experiment);
  const stateDir = resolve(ctx.cwd, options.stateDir);
  const attach = attachTarget(options, ctx);
  if (attach && !options.quiet && !options.adminUrl)
    ctx.stderr.write(`attached to shakedown up at ${attach.adminUrl} (found in ${stateDir}/up.json)\n`);
  const leaseMs = options.lease ? parseDurationMs(options.lease, '--lease') : target.leaseMs;
  const seed = options.seed ?? Date.now() & 0x7fffffff;

  if (options.dryRun) {
    const controls = attach ? await remoteControls(attach.adminUrl, attach.tokenFile) : undefined;
    try {
      const plans = [];
      for (const e of experiments)
        plans.push(await dryRun(e.name, e.experiment, target.loaded?.spec, controls, seed));
      if (options.json) ctx.stdout.write(`${JSON.stringify(plans, null, 2)}\n`);
      else for (const p of plans) ctx.stdout.write(formatDryRun(p));
    } finally {
      await controls?.close();
    }
    return;
  }

  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const stop = new AbortController();
  let interrupts = 0;
  const off = ctx.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      ctx.stderr.write(
        '\ninterrupted: reverting every fault (Ctrl-C again to quit at once; leases still lapse)\n',
      );
      stop.abort();
    } else process.exit(ExitCode.interrupted);
  });
  let storeClose: (() => Promise<void>) | undefined;
  let store: Awaited<ReturnType<typeof openStore>>['store'] | undefined;
  let location = '';
  if (options.store !== false) {
    location = resolveStoreLocation(options.store, ctx.env, ctx.cwd);
    store = (await openStore(location, { create: true })).store;
    storeClose = () => store?.close() ?? Promise.resolve();
  }
  const { tags, environment } = parseTags(options.tag, ctx.env);
  const git = readGitInfo(ctx.cwd);
  const quiet = options.quiet ?? false;
  let startedAt = Date.now();
  const onEvent = (e: RunEvent) => {
    if (e.kind === 'experiment.started') startedAt = e.t;
    if (e.source === 'mesh' && e.kind.startsWith('fault.')) return;
    if (!quiet && progressKinds.test(e.kind)) ctx.stderr.write(`${eventLine(e, startedAt)}\n`);
  };
  const reports: ChaosReport[] = [];
  try {
    const times = schedule ? (schedule.times ?? Number.POSITIVE_INFINITY) : 1;
    for (let i = 0; i < times && !stop.signal.aborted; i++) {
      const began = Date.now();
      const got = await runChaosSession({
        loaded: target.loaded,
        experiments,
        stateDir,
        attach,
        store,
        storeMeta: { gitSha: git.sha, gitBranch: git.branch, environment, tags },
        signal: stop.signal,
        leaseMs,
        seed,
        ...(options.workers ? { loadWorkers: options.workers } : {}),
        readyTimeoutMs: parseDurationMs(options.readyTimeout, '--ready-timeout'),
        env: ctx.env,
        onEvent,
        note: (line) => {
          if (!quiet) ctx.stderr.write(`${line}\n`);
        },
      });
      reports.push(...got);
      if (!options.json)
        for (const r of got)
          ctx.stdout.write(formatReport(r, { color: Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR }));
      if (schedule && i + 1 < times && !stop.signal.aborted) {
        const next = nextRunMs(
          schedule.every !== undefined ? { everyMs: schedule.every } : { cron: schedule.cron as string },
          began,
          Date.now(),
        );
        if (!quiet)
          ctx.stderr.write(`schedule ${options.schedule}: next run at ${new Date(next).toISOString()}\n`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.max(0, next - Date.now()));
          stop.signal.addEventListener('abort', () => {
            clearTimeout(t);
            r();
          });
        });
      }
    }
  } finally {
    off();
    await storeClose?.();
  }
  if (options.json) ctx.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  if (store && !quiet)
    for (const r of reports)
      if (r.runId) ctx.stderr.write(`run ${r.runId} recorded in ${redactLocation(location)}\n`);
  if (stop.signal.aborted || reports.some((r) => r.abortedBy === 'interrupted'))
    ctx.setExitCode(ExitCode.interrupted);
  else if (reports.some((r) => r.status !== 'passed')) ctx.setExitCode(ExitCode.thresholdsFailed);
  else ctx.setExitCode(ExitCode.ok);
}

async function renderCommand(
  targetPath: string,
  options: { target: string; namespace: string; experiment?: string[]; out?: string },
  ctx: CliContext,
): Promise<void> {
  if (options.target !== 'kubernetes')
    throw usageError(
      'E_USAGE',
      `unknown render target "${options.target}"`,
      'the one target is kubernetes (Chaos Mesh)',
    );
  if (dnsName(options.namespace) !== options.namespace)
    throw usageError(
      'E_USAGE',
      `invalid namespace "${options.namespace}": expected a DNS label such as shop`,
    );
  const target = loadChaosTarget(resolve(ctx.cwd, targetPath));
  const docs: string[] = [];
  for (const e of pickExperiments(target, options.experiment)) {
    const r = renderExperiment(e.name, e.experiment, { namespace: options.namespace });
    for (const s of r.skipped) ctx.stderr.write(`experiment ${e.name}: skipped ${s.step}: ${s.why}\n`);
    for (const o of r.objects) docs.push(stringify(o));
  }
  const text = docs.map((d) => `---\n${d}`).join('');
  if (options.out) writeFileSync(resolve(ctx.cwd, options.out), text);
  else ctx.stdout.write(text);
}

async function stopCommand(
  options: { stateDir: string; adminUrl?: string; tokenFile?: string; json?: boolean },
  ctx: CliContext,
): Promise<void> {
  const stateDir = resolve(ctx.cwd, options.stateDir);
  const r = await stopChaos(stateDir, { attach: attachTarget(options, ctx) });
  if (options.json) ctx.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    for (const p of r.signalled) ctx.stdout.write(`asked controller pid ${p} to stop\n`);
    for (const x of r.reverted) ctx.stdout.write(`reverted ${x.id} (${x.type}): ${x.how}\n`);
    for (const s of r.swept) ctx.stdout.write(`removed ${s} from the admin API\n`);
    if (!r.signalled.length && !r.reverted.length && !r.swept.length)
      ctx.stdout.write('no chaos fault in force\n');
  }
}
