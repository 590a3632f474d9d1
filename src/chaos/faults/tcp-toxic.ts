import { z } from 'zod';
import { fraction } from '../../spec/types.js';
import { requireListener, requireTcp } from './tcp-targets.js';
import { defineFault, leaseTtl } from './types.js';

/**
 * A Toxiproxy toxic on a TCP listener (latency, bandwidth, slow_close, timeout,
 * reset_peer, slicer, limit_data — see "TCP listeners and toxics"), named after the fault
 * instance and added with a TTL lease that the controller renews.
 */
export const tcpToxicFault = defineFault({
  type: 'tcp-toxic',
  summary:
    'a Toxiproxy toxic (latency, bandwidth, slicer, limit_data, timeout, reset_peer, slow_close) on a TCP listener',
  shape: {
    listener: z.string().min(1),
    toxic: z.enum(['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data']),
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: fraction.default(1),
    attributes: z.record(z.string(), z.unknown()).default({}),
  },
  async plan(p, ctx) {
    await requireListener(ctx, p.listener);
    return {
      targets: [`tcp ${p.listener} (${p.stream})`],
      data: {
        listener: p.listener,
        toxic: { type: p.toxic, stream: p.stream, toxicity: p.toxicity, attributes: p.attributes },
      },
    };
  },
  async inject(data, ctx, instance, leaseUntilMs) {
    const toxic = data.toxic as {
      type: string;
      stream: 'upstream' | 'downstream';
      toxicity: number;
      attributes: Record<string, unknown>;
    };
    await requireTcp(ctx).addToxic(
      data.listener as string,
      { ...toxic, name: instance.id },
      leaseTtl(leaseUntilMs, ctx.now()),
    );
  },
  async renew(data, ctx, instance, leaseUntilMs) {
    return requireTcp(ctx).renewToxic(
      data.listener as string,
      instance.id,
      leaseTtl(leaseUntilMs, ctx.now()),
    );
  },
  async revert(data, ctx, id) {
    return (await requireTcp(ctx).removeToxic(data.listener as string, id)) ? 'reverted' : 'gone';
  },
});
