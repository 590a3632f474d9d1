import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { LogFollower, lastLines, replicaLogs } from '../../fleet/log-reader.js';
import type { CliContext } from '../context.js';
import { nonNegativeInteger } from '../options.js';

interface LogsOptions {
  replica?: string;
  version?: string;
  follow?: boolean;
  lines: number;
  stateDir: string;
}

export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .summary("show a service's replica logs (stdout and stderr), -f to follow")
    .description(
      'Prints the last lines of the logs of every replica of a service (or of one, with --replica), from <state-dir>/logs/<service>/<replica>.log and its rotated files; each line is prefixed with the replica when there are several. With -f, keeps printing new lines, across rotations and of replicas started later, until Ctrl-C. Works whether or not `shakedown up` still runs.',
    )
    .argument('<service>', 'the service')
    .option('--replica <id>', 'only this replica, such as catalog-v1-0')
    .option('--version <v>', 'only replicas of this version')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'how many lines of each replica to print first', nonNegativeInteger, 100)
    .option('--state-dir <dir>', 'the state directory of `shakedown up`', '.shakedown')
    .addHelpText(
      'after',
      `
Examples:
  shakedown logs catalog
  shakedown logs catalog --replica catalog-v1-0 -n 20
  shakedown logs gateway -f

Exit codes: 0 printed, 4 no logs for that service, 130 after Ctrl-C with -f.`,
    )
    .action((service: string, options: LogsOptions) => runLogs(service, options, ctx));
}

async function runLogs(service: string, options: LogsOptions, ctx: CliContext): Promise<void> {
  const logsDir = join(resolve(ctx.cwd, options.stateDir), 'logs');
  const dir = join(logsDir, service);
  if (!existsSync(dir)) {
    const known = existsSync(logsDir) ? readdirSync(logsDir) : [];
    throw new ShakedownError('E_NO_LOGS', `no logs of service "${service}" in ${logsDir}`, {
      exitCode: ExitCode.environment,
      hint: known.length
        ? `services with logs: ${known.join(', ')}`
        : 'run `shakedown up` first, or pass --state-dir',
    });
  }
  const selected = () =>
    replicaLogs(dir).filter(
      (r) =>
        (options.replica === undefined || r === options.replica) &&
        (options.version === undefined || r.startsWith(`${service}-${options.version}-`)),
    );
  const replicas = selected();
  if (replicas.length === 0 && !options.follow)
    throw new ShakedownError(
      'E_NO_LOGS',
      `no log of ${options.replica ?? `version ${options.version}`} in ${dir}`,
      {
        exitCode: ExitCode.environment,
        hint: `replicas with logs: ${replicaLogs(dir).join(', ') || 'none'}`,
      },
    );
  const width = Math.max(0, ...replicaLogs(dir).map((r) => r.length));
  const many = options.replica === undefined;
  const print = (replica: string, lines: string[]) => {
    const prefix = many ? `${replica.padEnd(width)} | ` : '';
    if (lines.length) ctx.stdout.write(`${lines.map((l) => `${prefix}${l}`).join('\n')}\n`);
  };
  for (const r of replicas) print(r, lastLines(dir, r, options.lines));
  if (!options.follow) return;

  const followers = new Map(replicas.map((r) => [r, new LogFollower(join(dir, `${r}.log`), true)]));
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      // Replicas started after we began (restarts, scale-ups) are followed from their first line.
      for (const r of selected())
        if (!followers.has(r)) followers.set(r, new LogFollower(join(dir, `${r}.log`), false));
      for (const [r, f] of followers) print(r, f.poll());
    }, 250);
    const unsubscribe = ctx.onInterrupt(() => {
      clearInterval(timer);
      for (const [r, f] of followers) print(r, f.poll());
      for (const f of followers.values()) f.close();
      unsubscribe();
      done();
    });
  });
  ctx.setExitCode(ExitCode.interrupted);
}
