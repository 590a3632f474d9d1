import { z } from 'zod';
import { chaosMeshMode, pickReplicas, replicaTargetShape, requireFleet } from './replica-targets.js';
import { defineFault } from './types.js';

/**
 * Kills replicas (SIGKILL by default, as an OOM killer would): the fleet's restart policy
 * brings them back, so the fault is instant and heals by itself; it counts as recovered
 * when every killed replica is ready again and the hypothesis holds.
 */
export const replicaKillFault = defineFault({
  type: 'replica-kill',
  summary: 'kill replicas (SIGKILL); the fleet restarts them: recovery is measured',
  shape: {
    ...replicaTargetShape,
    signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']).default('SIGKILL'),
  },
  async plan(p, ctx) {
    const picked = await pickReplicas(p, ctx);
    return {
      targets: picked.map((r) => r.id),
      data: { replicas: picked.map((r) => r.id), signal: p.signal },
      instant: true,
      recovery: { kind: 'replica.ready', subjects: picked.map((r) => r.id) },
    };
  },
  async inject(data, ctx) {
    const fleet = requireFleet(ctx);
    for (const id of data.replicas as string[]) await fleet.kill(id, data.signal as NodeJS.Signals);
  },
  async revert() {
    return 'gone';
  },
  render: (p, r) => [
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'PodChaos',
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        action: 'pod-kill',
        ...chaosMeshMode(p.select),
        selector: { namespaces: [r.namespace], labelSelectors: r.selectorOf(p.service, p.version) },
        gracePeriod: 0,
      },
    },
  ],
});
