import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { formatError, isShakedownError } from '../core/errors.js';
import { ExitCode, exitCodeDescriptions } from '../core/exit-codes.js';
import { commandModules } from './commands/index.js';
import { type CliContext, processContext } from './context.js';

/** The version of the installed package. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the `shakedown` program with every command registered. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('shakedown')
    .description(
      'Production validation for HTTP services behind a service mesh: load, chaos, regression, monitoring and progressive delivery, from one spec (shakedown.yaml).',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .addHelpText(
      'after',
      `\nExit codes:\n${exitCodeDescriptions.map((e) => `  ${String(e.code).padStart(3)}  ${e.meaning}`).join('\n')}\n\nDocs: README.md (a section per command).`,
    );
  for (const register of commandModules) register(program, ctx);
  for (const c of program.commands) {
    c.exitOverride();
    c.showHelpAfterError('(run with --help for usage)');
    c.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  let code: number = ExitCode.ok;
  const setExitCode = (c: number) => {
    code = c;
  };
  const program = buildProgram({ ...ctx, setExitCode });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return ExitCode.ok;
      return ExitCode.usage;
    }
    ctx.stderr.write(`${formatError(e)}\n`);
    return isShakedownError(e) ? e.exitCode : ExitCode.internal;
  }
  return code;
}
