import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { defineAction } from './types.js';

/**
 * Shakedown's failover of an experiment database: promote the replica (`pg_ctl promote`,
 * waiting until it takes writes), then repoint the mesh TCP listener the app uses at it,
 * so the app's next connection reaches the new primary.
 */
export const postgresFailoverAction = defineAction({
  type: 'postgres-failover',
  summary: 'promote the replica of an experiment database and repoint its TCP listener',
  shape: { database: z.string().min(1) },
  async run(p, ctx) {
    const db = ctx.databases.get(p.database);
    if (!ctx.controls.tcp)
      throw new ShakedownError('E_CHAOS_NO_TCP', 'failover repoints a TCP listener; the platform has none', {
        exitCode: ExitCode.usage,
      });
    const t0 = ctx.now();
    await db.cluster.promote();
    const promotedMs = ctx.now() - t0;
    const address = `127.0.0.1:${db.cluster.replica.port}`;
    await ctx.controls.tcp.setUpstream(db.listener, address);
    ctx.emit('database.promoted', db.name, { node: 'replica', address, promoteMs: promotedMs });
    return { promoted: 'replica', listener: db.listener, upstream: address, promoteMs: promotedMs };
  },
});
