import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * The admin API's bearer token. Given (config, flag or environment) it is used as is;
 * otherwise a random one is generated and written to a file only its owner can read (mode
 * 0600), in a private temporary directory unless a path is given, so other processes of
 * the same user (fleet, chaos, rollout) can read it and nobody else can. The file is
 * removed when the mesh stops.
 */
export interface AdminToken {
  token: string;
  /** Where the token was written; undefined when it was given. */
  file: string | undefined;
  /** Removes the file (and the directory, if this created it). */
  cleanup(): void;
}

export function prepareToken(opts: { token?: string; tokenFile?: string }): AdminToken {
  if (opts.token !== undefined && opts.token !== '') {
    return { token: opts.token, file: undefined, cleanup: () => {} };
  }
  const token = randomBytes(32).toString('base64url');
  let file: string;
  let dir: string | undefined;
  if (opts.tokenFile) {
    file = resolve(opts.tokenFile);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  } else {
    dir = mkdtempSync(join(tmpdir(), 'shakedown-mesh-'));
    file = join(dir, 'token');
  }
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of a file that already existed.
  chmodSync(file, 0o600);
  return {
    token,
    file,
    cleanup: () => {
      rmSync(dir ?? file, { recursive: true, force: true });
    },
  };
}

/** Constant-time check of an `Authorization: Bearer …` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const a = createHash('sha256')
    .update(m[1] as string)
    .digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
