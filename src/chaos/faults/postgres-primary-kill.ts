import { z } from 'zod';
import { defineFault } from './types.js';

/**
 * Crashes the primary of a database the experiment started (SIGKILL to the postmaster and
 * its backends). Nothing brings it back by itself: the `postgres-failover` action promotes
 * the replica and repoints the TCP listener. Recovery is the promotion, then writes
 * succeeding again (the `writes` probe).
 */
export const postgresPrimaryKillFault = defineFault({
  type: 'postgres-primary-kill',
  summary: 'crash the PostgreSQL primary of an experiment database (SIGKILL); failover is an action',
  shape: { database: z.string().min(1) },
  async plan(p, ctx) {
    const db = ctx.databases.get(p.database);
    return {
      targets: [`${p.database} primary (port ${db.cluster.primary.port})`],
      data: { database: p.database },
      instant: true,
      recovery: { kind: 'database.promoted', subjects: [p.database] },
    };
  },
  async inject(data, ctx) {
    const db = ctx.databases.get(data.database as string);
    const pid = db.cluster.crash(db.cluster.writable);
    ctx.emit('database.crashed', db.name, { node: db.cluster.writable.name, pid });
  },
  async revert() {
    return 'gone';
  },
});
