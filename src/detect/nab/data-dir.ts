import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';

/**
 * Where the public evaluation data lives (GUIDE.md): it is never copied into the project.
 * Order: `SHAKEDOWN_SHARED_DATA` when set (an explicit choice wins), then `../shared/data`
 * beside the repository root, then `/work/shared/data` (where worktrees find it).
 */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.SHAKEDOWN_SHARED_DATA) candidates.push(resolve(env.SHAKEDOWN_SHARED_DATA));
  const root = repoRoot();
  if (root) candidates.push(resolve(root, '..', 'shared', 'data'));
  candidates.push('/work/shared/data');
  for (const c of candidates) if (existsSync(c)) return c;
  throw new ShakedownError(
    'E_SHARED_DATA',
    `public evaluation data not found; looked in ${candidates.join(', ')}`,
    {
      exitCode: ExitCode.environment,
      hint: 'set SHAKEDOWN_SHARED_DATA to the directory holding nab/ (a NAB checkout layout: data/, labels/, profiles.json)',
    },
  );
}

/** The NAB part of the shared data (`<shared>/nab`), or `dir` when given. */
export function nabDataDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  const d = dir ? resolve(dir) : join(sharedDataDir(env), 'nab');
  for (const part of ['data', join('labels', 'combined_windows.json'), 'profiles.json']) {
    if (!existsSync(join(d, part))) {
      throw new ShakedownError('E_SHARED_DATA', `${d} is not a NAB corpus: ${part} is missing`, {
        exitCode: ExitCode.environment,
        hint: 'point --data (or SHAKEDOWN_SHARED_DATA) at a directory with data/, labels/combined_windows.json and profiles.json',
      });
    }
  }
  return d;
}

/** The repository root: the nearest ancestor of this module holding package.json. */
function repoRoot(): string | undefined {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(d, 'package.json'))) return d;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}
