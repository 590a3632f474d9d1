import { z } from 'zod';
import { requireListener, requireTcp } from './tcp-targets.js';
import { defineFault, leaseTtl } from './types.js';

/** A TCP listener down (Toxiproxy's `enabled: false`): connections refused, open ones closed; a lease. */
export const tcpDownFault = defineFault({
  type: 'tcp-down',
  summary: 'take a TCP listener down: new connections refused, open ones closed',
  shape: { listener: z.string().min(1) },
  async plan(p, ctx) {
    await requireListener(ctx, p.listener);
    return { targets: [`tcp ${p.listener}`], data: { listener: p.listener } };
  },
  async inject(data, ctx, _instance, leaseUntilMs) {
    await requireTcp(ctx).disable(data.listener as string, leaseTtl(leaseUntilMs, ctx.now()));
  },
  async renew(data, ctx, _instance, leaseUntilMs) {
    const l = (await requireTcp(ctx).listeners()).find((x) => x.name === data.listener);
    if (!l || l.enabled) return false;
    await requireTcp(ctx).disable(data.listener as string, leaseTtl(leaseUntilMs, ctx.now()));
    return true;
  },
  async revert(data, ctx) {
    const l = (await requireTcp(ctx).listeners()).find((x) => x.name === data.listener);
    if (!l || l.enabled) return 'gone';
    await requireTcp(ctx).enable(data.listener as string);
    return 'reverted';
  },
});
