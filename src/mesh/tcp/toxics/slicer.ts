import { z } from 'zod';
import type { Random } from '../../../core/random.js';
import { parseDurationMs } from '../../../core/units.js';
import { sizeBytes, strictObject } from '../../../spec/types.js';
import { defineToxic } from '../core/types.js';

/**
 * Slice sizes for a chunk of `lengthBytes`, after Toxiproxy's slicer: halve recursively,
 * moving each cut by up to ± `sizeVariationBytes`, until a piece is within the variation
 * of `averageSizeBytes`. Halving (not cutting from the front) keeps small pieces from
 * bunching at either end. Every piece is at least one byte; the sizes add up to the length.
 */
export function sliceSizes(
  lengthBytes: number,
  averageSizeBytes: number,
  sizeVariationBytes: number,
  random: Random,
): number[] {
  const out: number[] = [];
  const average = Math.max(1, averageSizeBytes);
  const variation = Math.max(0, Math.min(sizeVariationBytes, average - 1));
  // Depth-first with an explicit stack (right half pushed first) keeps the order and
  // bounds the work to one step per piece.
  const stack: number[] = lengthBytes > 0 ? [lengthBytes] : [];
  while (stack.length > 0) {
    const size = stack.pop() as number;
    if (size - average <= variation || size <= 1) {
      out.push(size);
      continue;
    }
    const shift = variation > 0 ? random.int(-variation, variation - 1) : 0;
    const left = Math.min(size - 1, Math.max(1, Math.floor(size / 2) + shift));
    stack.push(size - left, left);
  }
  return out;
}

/** A delay in microseconds: a number of µs, or a duration such as `"500us"` or `"2ms"`. */
const durationUs = z
  .union([z.number(), z.string()], { error: () => 'expected microseconds, or a duration such as "500us"' })
  .transform((v, ctx) => {
    try {
      return typeof v === 'number' ? parseDurationMs(v) : parseDurationMs(v) * 1000;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected microseconds, or a duration such as "500us", got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
  });

/**
 * Toxiproxy's `slicer`: cuts data into pieces of about `averageSizeBytes` ± `sizeVariationBytes`,
 * waiting `delayUs` after each. Node timers have millisecond resolution, so sub-millisecond
 * delays are summed and slept in whole milliseconds: the average delay per piece holds.
 */
export const slicerToxic = defineToxic({
  type: 'slicer',
  summary: 'slices data into pieces of averageSizeBytes ± sizeVariationBytes, delayUs apart',
  attributes: strictObject({
    averageSizeBytes: sizeBytes,
    sizeVariationBytes: sizeBytes.default(0),
    delayUs: durationUs.default(0),
  }).superRefine((a, ctx) => {
    if (a.averageSizeBytes < 1) {
      ctx.addIssue({ code: 'custom', path: ['averageSizeBytes'], message: 'expected at least 1 byte' });
    } else if (a.sizeVariationBytes >= a.averageSizeBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['sizeVariationBytes'],
        message: `expected less than averageSizeBytes (${a.averageSizeBytes})`,
      });
    }
  }),
  integrity: 'complete',
  example: { averageSizeBytes: 64, sizeVariationBytes: 32, delayUs: 100 },
  create: (a, ctx) => {
    let debtUs = 0;
    return {
      async data(chunk, out) {
        let offset = 0;
        for (const size of sliceSizes(
          chunk.data.length,
          a.averageSizeBytes,
          a.sizeVariationBytes,
          ctx.random,
        )) {
          out.push({ data: chunk.data.subarray(offset, offset + size), dueMs: chunk.dueMs });
          offset += size;
          if (a.delayUs <= 0 || ctx.interrupted) continue;
          debtUs += a.delayUs;
          if (debtUs < 1000) continue;
          const start = ctx.clock.monotonicMs();
          await ctx.sleep(debtUs / 1000);
          debtUs -= (ctx.clock.monotonicMs() - start) * 1000;
        }
      },
    };
  },
});
