import { durationMs, strictObject } from '../../../spec/types.js';
import { defineToxic } from '../core/types.js';

/**
 * Toxiproxy's `timeout`: no data gets through (it is dropped), and the connection is closed
 * after `timeoutMs` (0: never). Removing the toxic closes the connection too, as Toxiproxy
 * does: data was dropped, so the stream cannot be trusted any more.
 */
export const timeoutToxic = defineToxic({
  type: 'timeout',
  summary: 'drops all data and closes the connection after timeoutMs (0: never)',
  attributes: strictObject({ timeoutMs: durationMs.default(0) }),
  integrity: 'prefix',
  example: { timeoutMs: 100 },
  create: (a, ctx) => ({
    start(out) {
      if (a.timeoutMs <= 0) return;
      void ctx.sleep(a.timeoutMs).then(() => {
        if (!ctx.interrupted) out.close();
      });
    },
    data() {
      // Dropped on the floor, as in Toxiproxy.
    },
    removed(out) {
      out.close();
    },
  }),
});
