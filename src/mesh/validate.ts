import type { z } from 'zod';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

/**
 * Validates a payload of the in-process or admin API with a zod schema; the error lists
 * every problem with its path, the way spec errors do (without file positions: JSON
 * payloads have none worth giving).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    return `${path ? `${path}: ` : ''}${i.message}`;
  });
  throw new ShakedownError('E_MESH_INVALID', `invalid ${what}: ${problems.join('; ')}`, {
    exitCode: ExitCode.usage,
  });
}
