import { randomBytes } from 'node:crypto';

/**
 * Run ids sort by start time and are short enough to type: `20261203-141512-3f9a1c`
 * (UTC date and time, then 24 random bits). Commands accept any unique prefix.
 */
export function newRunId(startMs: number, random: () => Buffer = () => randomBytes(3)): string {
  const d = new Date(startMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
  const time = `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${date}-${time}-${random().toString('hex')}`;
}

/** Ids are plain: letters, digits, `-`, `_`, `.`, at most 100 characters. */
export function isValidRunId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id);
}
