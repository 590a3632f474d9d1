import { z } from 'zod';
import { parseDurationMs, parseRatePerSec, parseSizeBytes } from '../core/units.js';

/**
 * Shared zod building blocks for spec sections: strict objects whose unknown-key error
 * lists the keys that are allowed, and unit types that parse `"30s"`, `"500/s"`,
 * `"10MiB"` and say what shape was expected when they cannot.
 */

/** A strict object: unknown keys are errors that list the allowed keys. */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).sort();
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}; expected one of: ${known.join(', ')}`
        : undefined,
  });
}

function unit<T>(parse: (v: string | number) => T, example: string) {
  return z.union([z.string(), z.number()], { error: () => `expected ${example}` }).transform((v, ctx) => {
    try {
      return parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected ${example}, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
  });
}

/** A duration in ms: `"30s"`, `"1m30s"`, `"250ms"`, or a number of ms. */
export const durationMs = unit(parseDurationMs, 'a duration such as "30s", "1m30s" or "250ms"');
/** A rate in events per second: `"500/s"`, `"30/m"`, or a number per second. */
export const ratePerSec = unit(parseRatePerSec, 'a rate such as "500/s" or "30/m"');
/**
 * A rate as k6 writes it (a number per `timeUnit`) or with its own unit (`"500/s"`).
 * `perTimeUnit` is set for bare numbers, `perSec` for strings with a unit.
 */
export const rateValue = z
  .union([z.number().nonnegative(), z.string()], {
    error: () => 'expected a rate such as "500/s" or a number per timeUnit',
  })
  .transform((v, ctx) => {
    if (typeof v === 'number') return { perTimeUnit: v };
    try {
      return { perSec: parseRatePerSec(v) };
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected a rate such as "500/s" or "30/m", got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
  });

/** Converts a {@link rateValue} to starts per second. */
export function toPerSec(r: { perTimeUnit?: number; perSec?: number }, timeUnitMs: number): number {
  return r.perSec ?? ((r.perTimeUnit ?? 0) * 1000) / timeUnitMs;
}

/** A size in bytes: `"10MiB"`, `"1.5GB"`, or a number of bytes. */
export const sizeBytes = unit(parseSizeBytes, 'a size such as "10MiB" or "512KiB"');

/** A probability or share in [0, 1]; also accepts `"5%"`. */
export const fraction = z
  .union([z.number(), z.string()], {
    error: () => 'expected a fraction in [0, 1] or a percentage such as "5%"',
  })
  .transform((v, ctx) => {
    const n =
      typeof v === 'number' ? v : v.trim().endsWith('%') ? Number(v.trim().slice(0, -1)) / 100 : Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a fraction in [0, 1] or a percentage such as "5%", got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return n;
  });

export const positiveInt = z
  .number({ error: () => 'expected a positive integer' })
  .int()
  .positive();
export const nonNegativeInt = z
  .number({ error: () => 'expected a non-negative integer' })
  .int()
  .nonnegative();
