import { z } from 'zod';
import { sizeBytes } from '../../spec/types.js';
import { chaosMeshMode, pickReplicas, replicaTargetShape } from './replica-targets.js';
import { killTagged, type StressSpec, startStress, stressEngine } from './stress-process.js';
import { defineFault, type FaultContext, type FaultInstance, type FaultType, leaseTtl } from './types.js';

/**
 * CPU or memory stress tied to replicas (see stress-process.ts). The stressors are
 * leases in the lease keeper: killed when the lease runs out or the controller dies.
 */
function stressFault(kind: 'cpu' | 'memory', shape: z.ZodRawShape, summary: string): FaultType {
  return defineFault({
    type: `${kind}-stress`,
    summary,
    shape: {
      ...replicaTargetShape,
      workers: z.number().int().min(1).max(64).default(1),
      engine: z.enum(['auto', 'stress-ng', 'builtin']).default('auto'),
      ...shape,
    },
    async plan(p, ctx) {
      const picked = await pickReplicas(p, ctx);
      const spec: StressSpec = {
        kind,
        workers: p.workers,
        loadPercent: (p as { load?: number }).load ?? 100,
        bytes: (p as { size?: number }).size ?? 0,
        engine: p.engine,
      };
      return {
        targets: picked.map((r) => `${r.id} (${stressEngine(spec)})`),
        data: { spec, replicas: picked.map((r) => ({ id: r.id, pid: r.pid })) },
      };
    },
    async inject(data, ctx: FaultContext, instance: FaultInstance, leaseUntilMs) {
      const spec = data.spec as StressSpec;
      const pids: number[] = [];
      for (const r of data.replicas as Array<{ id: string; pid: number }>) {
        pids.push(...startStress(spec, instance.id, r.pid, instance.ttlMs));
      }
      ctx.keeper.add(
        instance.id,
        pids.map((pid) => ({ kill: pid })),
        ctx.now() + leaseTtl(leaseUntilMs, ctx.now()),
      );
      ctx.emit('stress.started', instance.id, { pids, engine: stressEngine(spec) });
    },
    async renew(_data, ctx, instance, leaseUntilMs) {
      ctx.keeper.renew(instance.id, leaseUntilMs);
      return true;
    },
    async revert(_data, ctx, id) {
      const n = killTagged(id);
      try {
        ctx.keeper.done(id);
      } catch {
        // No keeper (chaos stop from another process): the tag found them.
      }
      return n > 0 ? 'reverted' : 'gone';
    },
    render: (p, r) => [
      {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'StressChaos',
        metadata: { name: r.name, namespace: r.namespace },
        spec: {
          ...chaosMeshMode(p.select),
          selector: { namespaces: [r.namespace], labelSelectors: r.selectorOf(p.service, p.version) },
          stressors:
            kind === 'cpu'
              ? { cpu: { workers: p.workers, load: (p as { load?: number }).load ?? 100 } }
              : { memory: { workers: p.workers, size: sizeText((p as { size?: number }).size ?? 0) } },
          ...(r.duration ? { duration: r.duration } : {}),
        },
      },
    ],
  });
}

export const cpuStressFault = stressFault(
  'cpu',
  { load: z.number().int().min(1).max(100).default(100) },
  'burn CPU beside replicas (stress-ng, or a burner of our own), on their CPUs and in their cgroups',
);

export const memoryStressFault = stressFault(
  'memory',
  { size: sizeBytes },
  'hold memory beside replicas (stress-ng --vm, or a burner of our own), in their cgroups',
);

/** A size as Chaos Mesh writes it: "256MiB", else bytes ("1000B"). */
function sizeText(bytes: number): string {
  for (const [unit, n] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  return `${bytes}B`;
}
