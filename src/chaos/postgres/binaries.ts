import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';

/**
 * The machine's PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup under
 * /usr/lib/postgresql/<version>/bin, the newest version; `SHAKEDOWN_PG_BIN` overrides),
 * run as the `postgres` user when we are root — PostgreSQL refuses to run as root —
 * always with an argument array, never a shell.
 */
export interface PgBinaries {
  bin: string;
  /** Run the servers as the postgres user (we are root). */
  asPostgres: boolean;
  uid: number | undefined;
  gid: number | undefined;
}

export function findPgBinaries(env: NodeJS.ProcessEnv = process.env): PgBinaries {
  let bin = env.SHAKEDOWN_PG_BIN;
  if (!bin) {
    const root = '/usr/lib/postgresql';
    const versions = existsSync(root)
      ? readdirSync(root)
          .filter((v) =>
            ['initdb', 'pg_ctl', 'pg_basebackup'].every((b) => existsSync(join(root, v, 'bin', b))),
          )
          .sort((a, b) => Number(b) - Number(a))
      : [];
    if (versions.length > 0) bin = join(root, versions[0] as string, 'bin');
  }
  if (!bin || !existsSync(join(bin, 'initdb')))
    throw new ShakedownError(
      'E_CHAOS_NO_POSTGRES',
      'PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) not found under /usr/lib/postgresql/*/bin',
      {
        exitCode: ExitCode.environment,
        hint: 'install them (Debian: apt-get install postgresql), or set SHAKEDOWN_PG_BIN to their folder',
      },
    );
  const asPostgres = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asPostgres) {
    const u = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (u.status !== 0)
      throw new ShakedownError(
        'E_CHAOS_NO_POSTGRES_USER',
        'running as root, but there is no "postgres" user to run the servers as',
        {
          exitCode: ExitCode.environment,
          hint: 'create one (useradd --system postgres), or run as another user',
        },
      );
    uid = Number(u.stdout.trim());
    gid = Number(g.stdout.trim());
  }
  return { bin, asPostgres, uid, gid };
}

/** The argv that runs `tool args` (as postgres when root). */
export function pgArgv(b: PgBinaries, tool: string, args: string[]): string[] {
  const path = join(b.bin, tool);
  return b.asPostgres ? ['runuser', '-u', 'postgres', '--', path, ...args] : [path, ...args];
}

/** Runs a PostgreSQL tool; resolves with its output, rejects with it on failure. */
export function runPg(b: PgBinaries, tool: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const [cmd, ...argv] = pgArgv(b, tool, args) as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new ShakedownError(
            'E_CHAOS_POSTGRES',
            `${tool} ${args.join(' ')} exited with ${code}: ${out.trim().slice(-2000)}`,
            {
              exitCode: ExitCode.environment,
            },
          ),
        );
    });
  });
}
