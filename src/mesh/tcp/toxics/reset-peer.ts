import { durationMs, strictObject } from '../../../spec/types.js';
import { defineToxic } from '../core/types.js';

/**
 * Toxiproxy's `reset_peer`: when data (or the end) first comes through, waits `timeoutMs`
 * and then resets the connection: both peers get a TCP RST (`ECONNRESET`), unsent data is
 * discarded. Removed while waiting, it lets the data through instead (Toxiproxy resets anyway).
 */
export const resetPeerToxic = defineToxic({
  type: 'reset_peer',
  summary: 'resets the connection (TCP RST) timeoutMs after data first comes through',
  attributes: strictObject({ timeoutMs: durationMs.default(0) }),
  integrity: 'prefix',
  example: { timeoutMs: 20 },
  create: (a, ctx) => ({
    async data(chunk, out) {
      await ctx.sleep(a.timeoutMs);
      if (ctx.interrupted) out.push(chunk);
      else out.reset();
    },
    async end(out) {
      await ctx.sleep(a.timeoutMs);
      if (ctx.interrupted) out.end();
      else out.reset();
    },
  }),
});
