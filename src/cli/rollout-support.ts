import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ShakedownError, usageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { parseDurationMs } from '../core/units.js';
import { RolloutControlClient } from '../delivery/control-client.js';
import { readControlState } from '../delivery/control-server.js';
import type { RolloutController } from '../delivery/controller.js';
import { FleetAdminClient } from '../delivery/fleet-port.js';
import { lastRollout, undoSpec } from '../delivery/history.js';
import type { RolloutSpec } from '../delivery/model.js';
import { planSteps } from '../delivery/plan.js';
import { progressLine } from '../delivery/progress.js';
import { type RolloutRun, runRollout } from '../delivery/run-rollout.js';
import { describeStatus, describeStep, type RolloutStatus } from '../delivery/status.js';
import { readAdminToken } from '../fleet/admin-token.js';
import { readUpState, requireUpState } from '../fleet/up-state.js';
import { MeshAdminClient } from '../mesh/admin/client.js';
import { type LoadedSpec, loadSpecFile } from '../spec/load-spec.js';
import { LazyStore } from '../store/cli-store.js';
import { readGitInfo } from '../store/git-info.js';
import type { ResultsStore } from '../store/types.js';
import type { CliContext } from './context.js';

/**
 * What the `shakedown rollout` subcommands share: finding the running `shakedown up` (its
 * admin API and token) and a running controller (its state file), opening the results
 * store, running a rollout in this process with progress lines, and printing statuses.
 */
export interface PlatformOptions {
  stateDir: string;
  adminUrl?: string;
  tokenFile?: string;
}

interface RunOptions extends PlatformOptions {
  store?: string | false;
  controlPort?: number;
  json?: boolean;
  quiet?: boolean;
  scaleDownDelay?: string;
}

function platformOf(ctx: CliContext, o: PlatformOptions) {
  const stateDir = resolve(ctx.cwd, o.stateDir);
  let adminUrl = o.adminUrl;
  let tokenFile = o.tokenFile ? resolve(ctx.cwd, o.tokenFile) : undefined;
  let spec: string | undefined;
  if (!adminUrl || !tokenFile) {
    const up = requireUpState(stateDir);
    adminUrl ??= up.adminUrl;
    tokenFile ??= up.tokenFile;
    spec = up.spec;
  } else spec = readUpState(stateDir)?.spec;
  return { stateDir, adminUrl, tokenFile, token: readAdminToken(tokenFile), spec };
}

/** The running controller of `service`, or (required) an error saying none runs. */
export function controlClient(
  ctx: CliContext,
  service: string,
  o: PlatformOptions,
): { client: RolloutControlClient };
export function controlClient(
  ctx: CliContext,
  service: string,
  o: PlatformOptions,
  required: false,
): { client: RolloutControlClient } | undefined;
export function controlClient(ctx: CliContext, service: string, o: PlatformOptions, required = true) {
  const stateDir = resolve(ctx.cwd, o.stateDir);
  const live = readControlState(stateDir, service);
  if (!live) {
    if (!required) return undefined;
    throw new ShakedownError(
      'E_ROLLOUT_NOT_RUNNING',
      `no rollout of ${service} is running (no live controller in ${stateDir})`,
      {
        exitCode: ExitCode.unreachable,
        hint: 'start one with `shakedown rollout start`; `rollout status` shows the last recorded one',
      },
    );
  }
  const tokenFile = o.tokenFile ? resolve(ctx.cwd, o.tokenFile) : live.tokenFile;
  return { client: new RolloutControlClient(live.url, readAdminToken(tokenFile)) };
}

function loadSpecFor(
  ctx: CliContext,
  given: string | undefined,
  upSpec: string | undefined,
): LoadedSpec | undefined {
  const path = given ? resolve(ctx.cwd, given) : (upSpec ?? resolve(ctx.cwd, 'shakedown.yaml'));
  if (!existsSync(path)) {
    if (given) throw usageError('E_USAGE', `no spec at ${path}`);
    return undefined;
  }
  return loadSpecFile(path);
}

/** `start`, `retry` and `undo`: one rollout in this process against the running `up`. */
export async function runRolloutCommand(
  ctx: CliContext,
  o: RunOptions,
  specOf: (loaded: LoadedSpec | undefined) => Promise<RolloutSpec | undefined>,
  mode: { specPath?: string | undefined; retry?: string; undo?: string; to?: string },
): Promise<void> {
  const p = platformOf(ctx, o);
  const loaded = loadSpecFor(ctx, mode.specPath, p.spec);
  const lazy = o.store === false ? undefined : new LazyStore(o.store || undefined, ctx, true);
  try {
    const store = lazy ? await lazy.get() : undefined;
    const spec = await chooseSpec(ctx, specOf, loaded, store, mode, o);
    if (readControlState(p.stateDir, spec.service))
      throw new ShakedownError('E_ROLLOUT_RUNNING', `a rollout of ${spec.service} is already running here`, {
        exitCode: ExitCode.environment,
        hint: '`shakedown rollout status` shows it; abort it first to start another',
      });
    const mesh = new MeshAdminClient(p.adminUrl, p.token);
    try {
      const state = await mesh.state();
      const listeners = state.listeners;
      const total = planSteps(spec).length;
      let controller: RolloutController | undefined;
      let interrupted = 0;
      const unsubscribe = ctx.onInterrupt(() => {
        interrupted++;
        if (interrupted === 1) {
          ctx.stderr.write('interrupted: rolling back (Ctrl-C again to leave the weights as they are)\n');
          controller?.abort('interrupted (Ctrl-C)', 'user');
        } else {
          ctx.stderr.write(
            `exiting now; the weights stay as they are: \`shakedown rollout abort ${spec.service}\` rolls back\n`,
          );
          process.exit(ExitCode.interrupted);
        }
      });
      const git = readGitInfo(ctx.cwd);
      let run: RolloutRun;
      try {
        run = await runRollout(
          {
            mesh,
            fleet: new FleetAdminClient(p.adminUrl, p.token),
            listenerUrl: (name) => {
              const l = name === undefined ? listeners[0] : listeners.find((x) => x.name === name);
              if (!l)
                throw usageError(
                  'E_ROLLOUT_LOAD',
                  `no mesh listener ${name ?? ''}; listeners: ${listeners.map((x) => x.name).join(', ')}`,
                );
              return l.url;
            },
          },
          spec,
          {
            events: {
              emit: (e) => {
                if (o.quiet) return;
                const line = progressLine(e, total);
                if (line) ctx.stderr.write(`${line}\n`);
              },
            },
            ...(store ? { store, storeOptions: { gitSha: git.sha, gitBranch: git.branch } } : {}),
            ...(loaded?.spec.load ? { loadSection: loaded.spec.load } : {}),
            baseDir: loaded?.dir ?? ctx.cwd,
            control: {
              token: p.token,
              tokenFile: p.tokenFile,
              ...(o.controlPort ? { port: o.controlPort } : {}),
              stateDir: p.stateDir,
            },
            onController: (c) => {
              controller = c;
            },
            out: ctx.stderr,
          },
        );
      } finally {
        unsubscribe();
      }
      report(ctx, run, o.json ?? false);
      ctx.setExitCode(run.ok ? ExitCode.ok : interrupted > 0 ? ExitCode.interrupted : ExitCode.rolledBack);
    } finally {
      await mesh.close();
    }
  } finally {
    await lazy?.close();
  }
}

async function chooseSpec(
  ctx: CliContext,
  specOf: (loaded: LoadedSpec | undefined) => Promise<RolloutSpec | undefined>,
  loaded: LoadedSpec | undefined,
  store: ResultsStore | undefined,
  mode: { retry?: string; undo?: string; to?: string },
  o: RunOptions,
): Promise<RolloutSpec> {
  const need = () => {
    if (!store) throw usageError('E_USAGE', 'retry and undo read the results store: drop --no-store');
    return store;
  };
  if (mode.retry) {
    const last = await lastRollout(need(), mode.retry, ['failed', 'aborted']);
    if (!last)
      throw usageError(
        'E_ROLLOUT_HISTORY',
        `no failed or aborted rollout of ${mode.retry} is recorded`,
        'start one with `shakedown rollout start`',
      );
    ctx.stderr.write(`retrying rollout ${last.run.id} (${last.spec.service} → ${last.spec.version})\n`);
    return last.spec;
  }
  if (mode.undo) {
    const last = await lastRollout(need(), mode.undo, ['passed']);
    if (!last) throw usageError('E_ROLLOUT_HISTORY', `no promoted rollout of ${mode.undo} is recorded`);
    const spec = undoSpec(last, {
      ...(mode.to ? { to: mode.to } : {}),
      ...(o.scaleDownDelay
        ? { scaleDownDelayMs: parseDurationMs(o.scaleDownDelay, '--scale-down-delay') }
        : {}),
    });
    ctx.stderr.write(`undoing rollout ${last.run.id}: ${spec.service} back to ${spec.version}\n`);
    return spec;
  }
  const spec = await specOf(loaded);
  if (!spec) throw usageError('E_USAGE', 'nothing to roll out');
  return spec;
}

function report(ctx: CliContext, run: RolloutRun, json: boolean): void {
  if (json) {
    ctx.stdout.write(
      `${JSON.stringify({ ok: run.ok, runId: run.runId, figures: run.figures, status: run.status, load: run.load }, null, 2)}\n`,
    );
    return;
  }
  const s = run.status;
  const f = run.figures;
  ctx.stdout.write(
    run.ok
      ? `promoted ${s.service} ${s.version} in ${f.promotedS} s${run.runId ? ` (run ${run.runId})` : ''}\n`
      : `rolled back ${s.service} to ${s.stableVersion}: ${s.abortReason}; traffic back ${f.rollbackS ?? '?'} s after the decision${run.runId ? ` (run ${run.runId})` : ''}\n`,
  );
}

/** `status`: the live controller's view, else the last recorded rollout. */
export async function printStatus(
  ctx: CliContext,
  service: string,
  o: PlatformOptions & { store?: string; json?: boolean },
): Promise<void> {
  const live = controlClient(ctx, service, o, false);
  let status: RolloutStatus | null = null;
  let note = '';
  if (live) status = await live.client.status(service);
  else {
    await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
      const last = await lastRollout(await lazy.get(), service);
      if (!last) throw usageError('E_ROLLOUT_HISTORY', `no rollout of ${service} is running or recorded`);
      status = last.status;
      // A run without a final status was left unfinished: its controller died (kill -9, a
      // crash), and the weights may still be part way.
      note =
        last.status === null
          ? `rollout ${last.run.id} (${last.spec.service} ${last.stableVersion ?? '?'} → ${last.spec.version}) was left unfinished: its controller is gone (${last.run.abortReason ?? 'no final status'}); \`shakedown rollout abort ${service}\` puts traffic back on ${last.stableVersion ?? 'the stable version'}`
          : `last recorded rollout: run ${last.run.id} (${last.run.status})`;
    });
  }
  if (o.json) {
    ctx.stdout.write(
      `${JSON.stringify({ live: Boolean(live), status, note: note || undefined }, null, 2)}\n`,
    );
    return;
  }
  const lines: string[] = [];
  const st = status as RolloutStatus | null;
  if (st) {
    lines.push(describeStatus(st));
    st.steps.forEach((step, i) => {
      const mark =
        i < st.step
          ? '✓'
          : i === st.step && st.phase === 'aborted'
            ? '✗'
            : i === st.step && (st.phase === 'progressing' || st.phase === 'paused')
              ? '▶'
              : ' ';
      lines.push(`  ${mark} ${String(i + 1).padStart(2)} ${describeStep(step)}`);
    });
    for (const a of st.analyses)
      lines.push(
        `  analysis (step ${typeof a.step === 'number' ? a.step + 1 : a.step}) ${a.name}: ${a.phase} — ${a.message}`,
      );
    if (st.runId) lines.push(`  run ${st.runId}`);
  }
  if (note) lines.push(note);
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

/** `abort` with no live controller: weights back to the recorded stable version, new version stopped. */
export async function abortStored(
  ctx: CliContext,
  service: string,
  o: PlatformOptions & { reason: string; store?: string; json?: boolean },
): Promise<void> {
  const p = platformOf(ctx, o);
  await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
    const last = await lastRollout(await lazy.get(), service);
    if (!last?.stableVersion)
      throw usageError('E_ROLLOUT_HISTORY', `no rollout of ${service} is running or recorded`);
    const mesh = new MeshAdminClient(p.adminUrl, p.token);
    try {
      await mesh.setWeights(service, { [last.stableVersion]: 100, [last.spec.version]: 0 });
      await new FleetAdminClient(p.adminUrl, p.token).stopVersion(service, last.spec.version);
    } finally {
      await mesh.close();
    }
    const msg = `no controller was running: traffic of ${service} set back on ${last.stableVersion}, ${last.spec.version} stopped (run ${last.run.id})`;
    ctx.stdout.write(
      o.json
        ? `${JSON.stringify({ aborted: true, service, stableVersion: last.stableVersion, runId: last.run.id })}\n`
        : `${msg}\n`,
    );
  });
}
