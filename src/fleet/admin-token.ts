import { readFileSync, statSync } from 'node:fs';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

/**
 * Reads the admin bearer token of a running `shakedown up` (written by the mesh's admin
 * token, src/mesh/admin/token.ts, mode 0600) for the other commands of the same user
 * (`restart`, chaos, rollout).
 */
/** Refuses a token file that others can read, since its secret is then not one. */
export function readAdminToken(file: string): string {
  let text: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0)
      throw new ShakedownError(
        'E_TOKEN_MODE',
        `token file ${file} is readable by others; expected mode 0600`,
        {
          exitCode: ExitCode.environment,
          hint: `chmod 600 ${file}`,
        },
      );
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ShakedownError) throw e;
    throw new ShakedownError(
      'E_TOKEN_READ',
      `cannot read the admin token ${file}: ${(e as NodeJS.ErrnoException).code}`,
      {
        exitCode: ExitCode.environment,
        hint: 'is `shakedown up` running in this directory? Pass --state-dir otherwise',
      },
    );
  }
  return text.trim();
}
