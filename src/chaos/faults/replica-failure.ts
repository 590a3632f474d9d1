import { chaosMeshMode, pickReplicas, replicaTargetShape, requireFleet } from './replica-targets.js';
import { defineFault } from './types.js';

/**
 * Replicas down for the step's duration (Chaos Mesh's pod-failure): SIGKILLed and kept
 * down by the fleet for that long — whatever the restart policy says — then started
 * again. The fleet holds the outage and ends it by itself, so it cannot outlast its
 * duration even if the controller dies; reverting ends it early.
 */
export const replicaFailureFault = defineFault({
  type: 'replica-failure',
  summary: 'take replicas down for the step duration, then let them start again',
  shape: { ...replicaTargetShape },
  async plan(p, ctx, instance) {
    const picked = await pickReplicas(p, ctx);
    return {
      targets: picked.map((r) => r.id),
      data: { replicas: picked.map((r) => r.id), durationMs: instance.durationMs },
      recovery: { kind: 'replica.ready', subjects: picked.map((r) => r.id) },
    };
  },
  async inject(data, ctx) {
    const fleet = requireFleet(ctx);
    for (const id of data.replicas as string[]) await fleet.fail(id, data.durationMs as number);
  },
  async revert(data, ctx) {
    const fleet = requireFleet(ctx);
    let any = false;
    for (const id of data.replicas as string[]) {
      try {
        await fleet.recover(id);
        any = true;
      } catch {
        // Back already (its failure ran out), or gone.
      }
    }
    return any ? 'reverted' : 'gone';
  },
  render: (p, r) => [
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'PodChaos',
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        action: 'pod-failure',
        ...chaosMeshMode(p.select),
        selector: { namespaces: [r.namespace], labelSelectors: r.selectorOf(p.service, p.version) },
        duration: r.duration ?? '30s',
      },
    },
  ],
});
