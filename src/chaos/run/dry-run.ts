import { createRandom } from '../../core/random.js';
import { formatDurationMs } from '../../core/units.js';
import type { Spec } from '../../spec/schema.js';
import type { ChaosControls } from '../control/types.js';
import { chaosFaultRegistry } from '../faults/registry.js';
import type { FaultContext } from '../faults/types.js';
import { DatabaseRegistry } from '../postgres/databases.js';
import type { ChaosFaultSpec, ExperimentSpec } from '../schema.js';
import { LeaseKeeper } from './lease-keeper.js';
import { planMethod } from './plan.js';

/**
 * `--dry-run`: the plan of an experiment — every step with its offset and duration, each
 * fault's TTL and lease, and its targets — without injecting anything. Against a running
 * platform the targets are resolved as the run would resolve them (same seed, same
 * picks); without one they are the candidates the spec declares.
 */
export interface DryRunItem {
  path: string;
  atMs: number;
  durationMs: number;
  what: string;
  ttlMs?: number;
  targets: string[];
}

export interface DryRun {
  experiment: string;
  plannedMs: number;
  load: string | null;
  probes: string[];
  items: DryRunItem[];
}

function candidates(spec: Spec | undefined, fault: Record<string, unknown>): string[] {
  const service = fault.service as string | undefined;
  const svc = service ? spec?.services?.[service] : undefined;
  if (svc && /^replica-|stress$/.test(String(fault.type))) {
    const versions = Object.keys(svc.versions ?? { v1: {} });
    const ids = versions
      .filter((v) => fault.version === undefined || v === fault.version)
      .flatMap((v) => {
        const n = svc.versions?.[v]?.replicas ?? svc.replicas ?? 1;
        return Array.from({ length: n }, (_, i) => `${service}-${v}-${i}`);
      });
    return [`${String(fault.select ?? 'one')} of ${ids.join(', ') || '(no replicas)'}`];
  }
  const where = ['route', 'service', 'version', 'listener', 'from', 'to', 'database', 'path']
    .filter((k) => fault[k] !== undefined)
    .map((k) => `${k} ${String(fault[k])}`);
  return [where.join(', ') || 'every request'];
}

export async function dryRun(
  name: string,
  exp: ExperimentSpec,
  spec: Spec | undefined,
  controls: ChaosControls | undefined,
  seed: number,
): Promise<DryRun> {
  const plan = planMethod(exp.method);
  const registry = chaosFaultRegistry();
  const ctx: FaultContext | undefined = controls
    ? {
        controls,
        random: createRandom(seed),
        keeper: new LeaseKeeper(),
        databases: new DatabaseRegistry(),
        spec,
        stateDir: '',
        now: Date.now,
        emit: () => {},
      }
    : undefined;
  const items: DryRunItem[] = [];
  let n = 0;
  for (const it of plan.items) {
    const item: DryRunItem = {
      path: it.path,
      atMs: exp.before + it.startMs,
      durationMs: it.durationMs,
      what: it.what,
      targets: [],
    };
    if (it.step.kind === 'fault') {
      const f = it.step.fault as ChaosFaultSpec & Record<string, unknown>;
      item.ttlMs = f.ttl ?? it.durationMs + 30_000;
      if (ctx && !f.database) {
        const { type: _, ttl: __, ...params } = f;
        try {
          const planned = await registry.get(f.type).plan(params as never, ctx, {
            id: `dry-run-${++n}`,
            durationMs: it.durationMs,
            ttlMs: item.ttlMs,
            leaseMs: 10_000,
          });
          item.targets = planned.targets;
        } catch (e) {
          item.targets = [`cannot resolve: ${(e as Error).message}`];
        }
      } else item.targets = candidates(spec, f);
    }
    items.push(item);
  }
  return {
    experiment: name,
    plannedMs: exp.before + plan.durationMs + exp.after,
    load: exp.load ? `${exp.load.scenario}${exp.load.vus ? ` with ${exp.load.vus} users` : ''}` : null,
    probes: exp.hypothesis.probes.map(
      (p, i) => `${(p.name as string | undefined) ?? `${p.type}-${i + 1}`} (${p.type})`,
    ),
    items,
  };
}

export function formatDryRun(d: DryRun): string {
  const lines = [
    `experiment ${d.experiment} (dry run: nothing is injected), about ${formatDurationMs(d.plannedMs)}`,
    `  load        ${d.load ?? 'none'}`,
    `  hypothesis  ${d.probes.join(', ') || 'no probes'}`,
  ];
  for (const it of d.items) {
    const when = `+${(it.atMs / 1000).toFixed(1)}s`.padStart(8);
    lines.push(
      `  ${when}  ${it.path.padEnd(6)} ${it.what}${it.durationMs ? ` for ${formatDurationMs(it.durationMs)}` : ''}${it.ttlMs !== undefined ? ` (ttl ${formatDurationMs(it.ttlMs)})` : ''}`,
    );
    for (const t of it.targets) lines.push(`                  → ${t}`);
  }
  return `${lines.join('\n')}\n`;
}
