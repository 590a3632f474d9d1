import { z } from 'zod';
import { parseTolerance, type Tolerance } from '../measure/tolerance.js';

/** A tolerance as written in the spec (`"< 250ms"`), parsed, with a located error. */
export const toleranceField = z.string().transform((v, ctx): Tolerance => {
  try {
    return parseTolerance(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});
