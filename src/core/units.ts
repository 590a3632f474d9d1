import { usageError } from './errors.js';

/**
 * Parsers for the units users write in specs and flags. Each throws a usage error that
 * quotes the input and shows an example of the expected shape.
 */

const durationUnitsMs: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const durationPart = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/y;

/**
 * Parses a Go/k6-style duration such as `"1m30s"`, `"250ms"`, `"1.5s"`, `"2h"` to
 * milliseconds. A bare number is taken as milliseconds when given as a number, and
 * rejected as a string (ambiguous).
 */
export function parseDurationMs(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw badDuration(String(input), what);
    return input;
  }
  const s = input.trim();
  if (s === '0') return 0;
  if (s.length === 0) throw badDuration(input, what);
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    durationPart.lastIndex = pos;
    const m = durationPart.exec(s);
    if (!m) throw badDuration(input, what);
    total += Number(m[1]) * (durationUnitsMs[m[2] as string] as number);
    pos = durationPart.lastIndex;
  }
  return total;
}

function badDuration(input: string, what: string) {
  return usageError(
    'E_DURATION',
    `invalid ${what} "${input}": expected a duration such as "30s", "1m30s", "250ms" or "2h"`,
  );
}

const rateRe = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h))?\s*$/;

/**
 * Parses an arrival rate such as `"500/s"`, `"30/m"`, `"100/10s"` to events per second.
 * A bare number means per second.
 */
export function parseRatePerSec(input: string | number, what = 'rate'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw badRate(String(input), what);
    return input;
  }
  const m = rateRe.exec(input);
  if (!m) throw badRate(input, what);
  const count = Number(m[1]);
  if (m[3] === undefined) return count;
  const per = m[2] === undefined ? 1 : Number(m[2]);
  const unitMs = durationUnitsMs[m[3]] as number;
  const periodMs = per * unitMs;
  if (periodMs <= 0) throw badRate(input, what);
  return (count * 1000) / periodMs;
}

function badRate(input: string, what: string) {
  return usageError(
    'E_RATE',
    `invalid ${what} "${input}": expected a rate such as "500/s", "30/m" or "100/10s"`,
  );
}

const sizeUnits: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

const sizeRe = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Parses a size such as `"10MiB"`, `"1.5GB"`, `"512KiB"`, `"100"` (bytes) to bytes. */
export function parseSizeBytes(input: string | number, what = 'size'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw badSize(String(input), what);
    return Math.round(input);
  }
  const m = sizeRe.exec(input);
  if (!m) throw badSize(input, what);
  const unit = (m[2] as string).toLowerCase();
  const factor = unit === '' ? 1 : sizeUnits[unit];
  if (factor === undefined) throw badSize(input, what);
  return Math.round(Number(m[1]) * factor);
}

function badSize(input: string, what: string) {
  return usageError(
    'E_SIZE',
    `invalid ${what} "${input}": expected a size such as "10MiB", "1.5GB" or "512KiB"`,
  );
}

/** Formats milliseconds as a short duration for people: `"1m30s"`, `"250ms"`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${Number(ms.toFixed(ms < 10 ? 2 : 0))}ms`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
