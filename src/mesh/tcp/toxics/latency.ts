import type { Random } from '../../../core/random.js';
import { durationMs, strictObject } from '../../../spec/types.js';
import { defineToxic } from '../core/types.js';

/**
 * The delay of one chunk: `latencyMs` ± `jitterMs`, uniform in
 * [latency − jitter, latency + jitter) as Toxiproxy draws it, never below zero.
 */
export function latencyDelayMs(latencyMs: number, jitterMs: number, random: Random): number {
  const jitter = jitterMs > 0 ? random.next() * 2 * jitterMs - jitterMs : 0;
  return Math.max(0, latencyMs + jitter);
}

/**
 * How long a chunk still waits: its delay counts from when it was due at this stage, so a
 * chunk that queued behind a slower one is not delayed twice (Toxiproxy subtracts the time
 * since the chunk's timestamp the same way).
 */
export function latencyWaitMs(delayMs: number, dueMs: number, nowMs: number): number {
  return Math.max(0, dueMs + delayMs - nowMs);
}

/** Toxiproxy's `latency`: every chunk arrives `latencyMs` ± `jitterMs` later. */
export const latencyToxic = defineToxic({
  type: 'latency',
  summary: 'delays every chunk by latencyMs ± jitterMs',
  attributes: strictObject({ latencyMs: durationMs, jitterMs: durationMs.default(0) }),
  integrity: 'complete',
  example: { latencyMs: 20, jitterMs: 5 },
  create: (a, ctx) => ({
    async data(chunk, out) {
      const delayMs = latencyDelayMs(a.latencyMs, a.jitterMs, ctx.random);
      await ctx.sleep(latencyWaitMs(delayMs, chunk.dueMs, ctx.clock.monotonicMs()));
      out.push({ data: chunk.data, dueMs: chunk.dueMs + delayMs });
    },
  }),
});
