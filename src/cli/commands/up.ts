import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { isShakedownError, ShakedownError, usageError } from '../../core/errors.js';
import type { RunEvent } from '../../core/event.js';
import { ExitCode } from '../../core/exit-codes.js';
import { parseDurationMs } from '../../core/units.js';
import type { Fleet } from '../../fleet/fleet.js';
import { formatStatusTable } from '../../fleet/status-table.js';
import { readUpState, removeUpState, writeUpState } from '../../fleet/up-state.js';
import { formatHostPort } from '../../mesh/tcp/host-port.js';
import { onFreePorts } from '../../platform/free-ports.js';
import { LocalPlatform } from '../../platform/local.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import type { CliContext } from '../context.js';
import { nonNegativeInteger } from '../options.js';

interface UpOptions {
  freePorts?: boolean;
  stateDir: string;
  adminPort: number;
  readyTimeout: string;
  json?: boolean;
  quiet?: boolean;
}

/** Events worth a line on a terminal that has no live table. */
const notable = new Set([
  'replica.ready',
  'replica.exited',
  'replica.restarting',
  'replica.crash-loop',
  'replica.failed',
  'replica.probe-failed',
  'replica.unready',
  'replica.mesh-error',
  'service.scaled',
  'service.restarted',
  'service.restart-failed',
  'version.started',
  'version.stopped',
]);

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command('up')
    .summary('run the services of a spec locally, with their admin API')
    .description(
      "Starts every service of the spec's services: section (each replica a child process on its own port, probed, restarted with backoff), serves the fleet admin API on loopback with a bearer token, and shows a live status table. Ctrl-C drains and stops everything and leaves no process behind.",
    )
    .argument('[spec]', 'the spec file', 'shakedown.yaml')
    .option('--state-dir <dir>', 'where logs, the admin token and up.json go', '.shakedown')
    .option('--free-ports', "listen on free ports instead of the spec's fixed ones (--json prints them)")
    .option('--admin-port <n>', 'port of the admin API on 127.0.0.1 (0: a free one)', nonNegativeInteger, 0)
    .option('--ready-timeout <d>', 'how long replicas get to become ready at start', '60s')
    .option('--json', 'print a JSON line when ready, then every event as a JSON line, on stdout')
    .option('-q, --quiet', 'no status table or event lines; errors only')
    .addHelpText(
      'after',
      `
Examples:
  shakedown up examples/shop/shakedown.yaml
  shakedown up --admin-port 9901 --json > events.jsonl
  curl -s http://127.0.0.1:9901/v1/fleet/services
  curl -s -X POST -H "authorization: Bearer $(cat .shakedown/admin-token)" \\
       -d '{"replicas": 3}' http://127.0.0.1:9901/v1/fleet/services/catalog/scale

Exit codes: 130 after Ctrl-C or SIGTERM (everything stopped), 2 spec error, 4 a service could not start.`,
    )
    .action((specPath: string, options: UpOptions) => runUp(specPath, options, ctx));
}

async function runUp(specPath: string, options: UpOptions, ctx: CliContext): Promise<void> {
  const path = resolve(ctx.cwd, specPath);
  if (!existsSync(path) && specPath === 'shakedown.yaml')
    throw usageError(
      'E_USAGE',
      'no spec: give a spec file (no shakedown.yaml here)',
      'shakedown up examples/shop/shakedown.yaml',
    );
  const loaded = options.freePorts ? onFreePorts(loadSpecFile(path)) : loadSpecFile(path);
  const hasServices = Object.keys(loaded.spec.services ?? {}).length > 0;
  if (!hasServices && !loaded.spec.mesh)
    throw usageError(
      'E_NO_SERVICES',
      `${path} has neither a services: nor a mesh: section`,
      'see the README sections on `services:` and `mesh:`',
    );
  const readyTimeoutMs = parseDurationMs(options.readyTimeout, '--ready-timeout');
  const stateDir = resolve(ctx.cwd, options.stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const running = readUpState(stateDir);
  if (running)
    throw new ShakedownError(
      'E_UP_RUNNING',
      `shakedown up is already running here (pid ${running.pid}, ${running.adminUrl})`,
      {
        exitCode: ExitCode.environment,
        hint: 'stop it first, or use another --state-dir',
      },
    );

  const display = new UpDisplay(ctx, options);
  const platform = LocalPlatform.create(loaded, {
    stateDir,
    events: { emit: (e) => display.event(e) },
    env: ctx.env,
    readyTimeoutMs,
    adminPort: options.adminPort,
  });
  let interrupted = false;
  let resolveInterrupt: () => void = () => {};
  const interruptedPromise = new Promise<void>((r) => {
    resolveInterrupt = r;
  });
  const onInterrupt = () => {
    if (interrupted) {
      // A second Ctrl-C: no more waiting for graceful stops.
      platform.killAll();
      return;
    }
    interrupted = true;
    display.stoppingNow();
    display.note('stopping: draining and stopping every replica (Ctrl-C again to kill them at once)');
    resolveInterrupt();
  };
  const unsubscribe = ctx.onInterrupt(onInterrupt);
  // Started by another program (`shakedown demo`) that holds our stdin: when it goes away,
  // stop as after Ctrl-C, so nothing outlives it.
  const parentGone = () => {
    if (!interrupted) onInterrupt();
  };
  const watchParent = ctx.env.SHAKEDOWN_EXIT_WITH_PARENT === '1' && !process.stdin.isTTY;
  if (watchParent) {
    process.stdin.on('end', parentGone).on('close', parentGone).resume();
  }
  try {
    const started = platform.start();
    const outcome = await Promise.race([
      started.then(() => 'ready' as const),
      interruptedPromise.then(() => 'interrupted' as const),
    ]);
    if (outcome === 'ready') {
      const info = {
        adminUrl: platform.adminUrl ?? '',
        tokenFile: platform.tokenFile ?? '',
        stateDir,
        spec: path,
      };
      writeUpState({ pid: process.pid, ...info, startedAt: new Date().toISOString() });
      display.ready(platform, info);
      await interruptedPromise;
    } else started.catch(() => {});
  } catch (e) {
    if (!interrupted) {
      display.failed(e, platform.fleet);
      throw e;
    }
  } finally {
    display.stopTable();
    await platform.stop();
    removeUpState(stateDir);
    unsubscribe();
    if (watchParent) {
      process.stdin.off('end', parentGone).off('close', parentGone);
      process.stdin.destroy();
    }
  }
  display.note('stopped; no replica left running');
  ctx.setExitCode(ExitCode.interrupted);
}

/** What `up` shows: a live table on a terminal, event lines otherwise, JSON lines with --json. */
class UpDisplay {
  private timer: NodeJS.Timeout | undefined;
  private tableLines = 0;
  private fleet: Fleet | undefined;
  private readonly live: boolean;
  private stopping = false;

  constructor(
    private readonly ctx: CliContext,
    private readonly options: UpOptions,
  ) {
    this.live = !options.quiet && !options.json && Boolean(ctx.stderr.isTTY);
  }

  event(e: RunEvent): void {
    if (this.options.json) {
      this.ctx.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    if (this.options.quiet || !notable.has(e.kind) || this.stopping) return;
    if (e.kind === 'replica.ready' && !e.data.again && !this.fleet) return; // the first start is summed up once
    const detail = describeEvent(e);
    if (this.live) this.clearTable();
    this.ctx.stderr.write(`${new Date(e.t).toISOString().slice(11, 23)}  ${e.subject}  ${detail}\n`);
    if (e.kind === 'replica.crash-loop' && Array.isArray(e.data.lastLines))
      this.ctx.stderr.write(`  last log lines:\n    ${(e.data.lastLines as string[]).join('\n    ')}\n`);
    if (this.live) this.drawTable();
  }

  /** From now on replicas exit on purpose; their exits are not news. */
  stoppingNow(): void {
    this.stopping = true;
  }

  note(text: string): void {
    if (this.options.json || this.options.quiet) return;
    if (this.live) this.clearTable();
    this.ctx.stderr.write(`${text}\n`);
  }

  ready(
    platform: LocalPlatform,
    info: { adminUrl: string; tokenFile: string; stateDir: string; spec: string },
  ): void {
    this.fleet = platform.fleet;
    const services = platform.fleet?.list() ?? [];
    const listeners = [
      ...(platform.mesh?.addresses().listeners ?? []),
      ...[...platform.tcp.values()].map((p) => ({ name: p.name, url: `tcp://${formatHostPort(p.address)}` })),
    ];
    if (this.options.json) {
      const urls = Object.fromEntries(
        services.map((s) => [s.name, s.versions.flatMap((v) => v.replicas.map((r) => r.url))]),
      );
      this.ctx.stdout.write(
        `${JSON.stringify({ event: 'up', ...info, logsDir: join(info.stateDir, 'logs'), mesh: listeners, services: urls })}\n`,
      );
      return;
    }
    if (this.options.quiet) return;
    const rel = (p: string) => relative(this.ctx.cwd, p) || '.';
    const lines = [`shakedown up: ${services.length} services ready (${rel(info.spec)})`];
    for (const l of listeners) lines.push(`  mesh ${l.name.padEnd(7)} ${l.url}`);
    for (const s of services) {
      const urls = s.versions.flatMap((v) => v.replicas.map((r) => r.url));
      if (urls.length) lines.push(`  ${s.name.padEnd(12)} ${urls.join('  ')}`);
    }
    lines.push(`  admin API    ${info.adminUrl}  (token: ${rel(info.tokenFile)})`);
    lines.push(
      `  logs         ${rel(join(info.stateDir, 'logs'))}/<service>/<replica>.log  (shakedown logs <service> -f)`,
    );
    lines.push('Ctrl-C stops everything.');
    this.ctx.stderr.write(`${lines.join('\n')}\n`);
    if (this.live) {
      this.drawTable();
      this.timer = setInterval(() => {
        this.clearTable();
        this.drawTable();
      }, 1000);
      this.timer.unref();
    }
  }

  failed(e: unknown, fleet: Fleet | undefined): void {
    if (this.options.json) {
      const error = isShakedownError(e)
        ? { code: e.code, message: e.message, hint: e.hint }
        : { message: String(e) };
      this.ctx.stdout.write(`${JSON.stringify({ event: 'failed', error })}\n`);
      return;
    }
    if (this.live) this.clearTable();
    if (fleet) this.ctx.stderr.write(formatStatusTable(fleet.list(), Date.now(), { color: this.color() }));
  }

  stopTable(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) this.clearTable();
  }

  private color(): boolean {
    return Boolean(this.ctx.stderr.isTTY) && !this.ctx.env.NO_COLOR;
  }

  private drawTable(): void {
    if (!this.fleet) return;
    const text = formatStatusTable(this.fleet.list(), Date.now(), { color: this.color() });
    this.ctx.stderr.write(text);
    this.tableLines = text.split('\n').length - 1;
  }

  private clearTable(): void {
    if (this.tableLines === 0) return;
    this.ctx.stderr.write(`\u001b[${this.tableLines}F\u001b[J`);
    this.tableLines = 0;
  }
}

function describeEvent(e: RunEvent): string {
  const d = e.data;
  switch (e.kind) {
    case 'replica.ready':
      return `ready again on port ${d.port} (${d.startupMs} ms after start)`;
    case 'replica.exited':
      return `exited (${d.signal ? `signal ${d.signal}` : `code ${d.code}`}) after ${d.uptimeMs} ms`;
    case 'replica.restarting':
      return `restarting in ${d.delayMs} ms (attempt ${d.attempt})`;
    case 'replica.crash-loop':
    case 'replica.failed':
      return String(d.reason);
    case 'replica.probe-failed':
      return `${d.probe} probe failed`;
    case 'service.scaled':
      return `${d.version} scaled ${d.from} → ${d.to}`;
    case 'service.restarted':
      return `restarted (${(d.replaced as unknown[]).length} replicas replaced in ${d.durationMs} ms)`;
    default:
      return `${e.kind}${d.message ? `: ${d.message}` : ''}`;
  }
}
