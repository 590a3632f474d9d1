import { pickReplicas, replicaTargetShape, requireFleet } from './replica-targets.js';
import { defineFault, leaseTtl } from './types.js';

/**
 * Replicas frozen (SIGSTOP) — the process is there, its port accepts connections, nothing
 * answers: what the mesh's health checks and outlier detection must catch. The pause is a
 * lease in the fleet: it resumes the replica by itself unless the controller renews it.
 */
export const replicaPauseFault = defineFault({
  type: 'replica-pause',
  summary: 'freeze replicas (SIGSTOP) for the step duration, as a lease the fleet ends by itself',
  shape: { ...replicaTargetShape },
  async plan(p, ctx) {
    const picked = await pickReplicas(p, ctx);
    return {
      targets: picked.map((r) => r.id),
      data: { replicas: picked.map((r) => r.id) },
    };
  },
  async inject(data, ctx, _instance, leaseUntilMs) {
    const fleet = requireFleet(ctx);
    for (const id of data.replicas as string[]) await fleet.pause(id, leaseTtl(leaseUntilMs, ctx.now()));
  },
  async renew(data, ctx, _instance, leaseUntilMs) {
    const fleet = requireFleet(ctx);
    let any = false;
    for (const id of data.replicas as string[]) {
      const st = (await fleet.list())
        .flatMap((s) => s.versions.flatMap((v) => v.replicas))
        .find((r) => r.id === id);
      if (st?.state !== 'paused') continue;
      await fleet.pause(id, leaseTtl(leaseUntilMs, ctx.now()));
      any = true;
    }
    return any;
  },
  async revert(data, ctx) {
    const fleet = requireFleet(ctx);
    let any = false;
    for (const id of data.replicas as string[]) {
      try {
        await fleet.resume(id);
        any = true;
      } catch {
        // Not paused any more (its lease ran out), or gone.
      }
    }
    return any ? 'reverted' : 'gone';
  },
});
