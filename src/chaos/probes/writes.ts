import { z } from 'zod';
import { durationMs } from '../../spec/types.js';
import { defineProbe } from './types.js';

/** Writes to an experiment database go through: the last one was acknowledged, recently. */
export const writesProbe = defineProbe({
  type: 'writes',
  summary: 'writes to an experiment database are acknowledged (the last one, within the window)',
  shape: { database: z.string().min(1), window: durationMs.default(2000) },
  create(p, ctx) {
    return {
      async check() {
        const writer = ctx.databases.get(p.database).writer;
        if (!writer)
          return { ok: false, value: null, detail: `database ${p.database} has no writes: configured` };
        const s = writer.snapshot();
        const sinceAck = s.lastAckAt === null ? null : ctx.clock.now() - s.lastAckAt;
        const ok = s.lastAttemptOk === true && sinceAck !== null && sinceAck <= p.window;
        return {
          ok,
          value: sinceAck,
          detail: `${s.acknowledged} acknowledged, last ${sinceAck === null ? 'never' : `${Math.round(sinceAck)} ms ago`}${s.lastAttemptOk === false ? ', last attempt failed' : ''}`,
        };
      },
    };
  },
});
