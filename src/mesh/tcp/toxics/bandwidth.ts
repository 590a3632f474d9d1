import { z } from 'zod';
import { strictObject } from '../../../spec/types.js';
import { defineToxic } from '../core/types.js';

/** Kilobytes are Toxiproxy's: 1 KB = 1000 bytes, so `rateKBps` is also bytes per ms. */
const bytesPerKB = 1000;

/**
 * Splits a chunk into pieces of at most 100 ms of data at `rateKBps`, as Toxiproxy does, so
 * a big chunk trickles out instead of arriving at once after a long pause.
 */
export function bandwidthSlices(lengthBytes: number, rateKBps: number): number[] {
  if (rateKBps <= 0 || lengthBytes <= 0) return lengthBytes > 0 ? [lengthBytes] : [];
  const max = Math.max(1, Math.floor((rateKBps * bytesPerKB) / 10));
  const out: number[] = [];
  for (let left = lengthBytes; left > 0; left -= max) out.push(Math.min(max, left));
  return out;
}

/** Time `bytes` take at `rateKBps`. */
export function transmitMs(bytes: number, rateKBps: number): number {
  return rateKBps > 0 ? (bytes * 1000) / (rateKBps * bytesPerKB) : 0;
}

/** Toxiproxy's `bandwidth`: at most `rateKBps` kilobytes (1000 bytes) per second; 0 = no limit. */
export const bandwidthToxic = defineToxic({
  type: 'bandwidth',
  summary: 'limits the rate to rateKBps kilobytes (1000 bytes) per second',
  attributes: strictObject({
    rateKBps: z
      .number({ error: () => 'expected a rate in KB/s (1 KB = 1000 bytes), such as 64' })
      .nonnegative(),
  }),
  integrity: 'complete',
  example: { rateKBps: 2000 },
  create: (a, ctx) => {
    // Time owed: what was sent minus what was slept. Timers overshoot by a millisecond or
    // so; carrying the difference keeps the average rate exact (as Toxiproxy does).
    let debtMs = 0;
    return {
      async data(chunk, out) {
        if (a.rateKBps <= 0 || ctx.interrupted) {
          out.push(chunk);
          return;
        }
        let offset = 0;
        for (const size of bandwidthSlices(chunk.data.length, a.rateKBps)) {
          debtMs += transmitMs(size, a.rateKBps);
          const start = ctx.clock.monotonicMs();
          await ctx.sleep(debtMs);
          debtMs -= ctx.clock.monotonicMs() - start;
          if (ctx.interrupted) debtMs = 0;
          out.push({ data: chunk.data.subarray(offset, offset + size), dueMs: chunk.dueMs });
          offset += size;
        }
      },
    };
  },
});
