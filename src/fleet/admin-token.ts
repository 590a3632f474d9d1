import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

/**
 * The admin bearer token of a running `shakedown up`: random, written to a file only its
 * owner can read (mode 0600, in a directory of mode 0700), so the other commands of the
 * same user (`restart`, chaos, rollout) can read it and nobody else can.
 */
export function writeAdminToken(file: string): string {
  const token = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of a file that already existed.
  chmodSync(file, 0o600);
  return token;
}

/** Reads a token file; refuses one that others can read, since its secret is then not one. */
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
