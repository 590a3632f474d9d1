import { durationMs, strictObject } from '../../../spec/types.js';
import { defineToxic } from '../core/types.js';

/** Toxiproxy's `slow_close`: the end of the stream (FIN) is passed on `delayMs` late. */
export const slowCloseToxic = defineToxic({
  type: 'slow_close',
  summary: 'delays the close (FIN) of the stream by delayMs',
  attributes: strictObject({ delayMs: durationMs }),
  integrity: 'complete',
  example: { delayMs: 50 },
  create: (a, ctx) => ({
    data(chunk, out) {
      out.push(chunk);
    },
    async end(out) {
      await ctx.sleep(a.delayMs);
      out.end();
    },
  }),
});
