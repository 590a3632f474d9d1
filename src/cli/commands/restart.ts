import { resolve } from 'node:path';
import type { Command } from 'commander';
import { request } from 'undici';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { parseDurationMs } from '../../core/units.js';
import { readAdminToken } from '../../fleet/admin-token.js';
import type { RestartResult } from '../../fleet/status.js';
import { requireUpState } from '../../fleet/up-state.js';
import type { CliContext } from '../context.js';
import { positiveInteger } from '../options.js';

interface RestartOptions {
  version?: string;
  maxSurge?: number;
  stateDir: string;
  adminUrl?: string;
  tokenFile?: string;
  timeout: string;
  json?: boolean;
}

export function registerRestart(program: Command, ctx: CliContext): void {
  program
    .command('restart')
    .summary('replace the replicas of a running service one at a time')
    .description(
      "Asks the running `shakedown up` (found through <state-dir>/up.json) to replace a service's replicas one batch at a time: start a new replica, wait until it is ready and in the mesh, drain the old one (its in-flight requests finish), stop it. If a new replica does not get ready, the old ones keep running and the command fails. Answers when the restart is done.",
    )
    .argument('<service>', 'the service')
    .option('--version <v>', 'only this version')
    .option('--max-surge <n>', 'new replicas started before old ones stop (default 1)', positiveInteger)
    .option('--state-dir <dir>', 'the state directory of `shakedown up`', '.shakedown')
    .option('--admin-url <url>', 'the fleet admin API (default: from up.json)')
    .option('--token-file <file>', 'the admin token file (default: from up.json)')
    .option('--timeout <d>', 'give up waiting after this long', '10m')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  shakedown restart catalog
  shakedown restart catalog --version v2 --json

Exit codes: 0 restarted, 2 unknown service or version, 3 no running \`shakedown up\`, 4 a new replica did not get ready.`,
    )
    .action((service: string, options: RestartOptions) => runRestart(service, options, ctx));
}

async function runRestart(service: string, options: RestartOptions, ctx: CliContext): Promise<void> {
  const timeoutMs = parseDurationMs(options.timeout, '--timeout');
  let adminUrl = options.adminUrl;
  let tokenFile = options.tokenFile ? resolve(ctx.cwd, options.tokenFile) : undefined;
  if (!adminUrl || !tokenFile) {
    const state = requireUpState(resolve(ctx.cwd, options.stateDir));
    adminUrl ??= state.adminUrl;
    tokenFile ??= state.tokenFile;
  }
  const token = readAdminToken(tokenFile);
  const body = JSON.stringify({
    ...(options.version ? { version: options.version } : {}),
    ...(options.maxSurge ? { maxSurge: options.maxSurge } : {}),
  });
  const url = `${adminUrl.replace(/\/$/, '')}/v1/fleet/services/${encodeURIComponent(service)}/restart`;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (e) {
    throw new ShakedownError(
      'E_UP_UNREACHABLE',
      `cannot reach the fleet admin API at ${adminUrl}: ${(e as Error).message}`,
      {
        exitCode: ExitCode.unreachable,
        hint: 'is `shakedown up` still running?',
      },
    );
  }
  const answer = (await res.body.json()) as RestartResult & {
    error?: { code: string; message: string; hint?: string };
  };
  if (res.statusCode !== 200) {
    const err = answer.error ?? { code: 'E_ADMIN', message: `HTTP ${res.statusCode}` };
    throw new ShakedownError(err.code, err.message, {
      exitCode:
        res.statusCode === 400 || res.statusCode === 404 || res.statusCode === 409
          ? ExitCode.usage
          : res.statusCode === 503 || res.statusCode === 401
            ? ExitCode.environment
            : ExitCode.internal,
      ...(err.hint ? { hint: err.hint } : {}),
    });
  }
  if (options.json) ctx.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  else {
    const pairs = answer.replaced.map((r) => `  ${r.old} → ${r.new}`).join('\n');
    ctx.stdout.write(
      `restarted ${answer.service}: ${answer.replaced.length} replica${answer.replaced.length === 1 ? '' : 's'} replaced in ${(answer.durationMs / 1000).toFixed(1)} s\n${pairs}${pairs ? '\n' : ''}`,
    );
  }
}
