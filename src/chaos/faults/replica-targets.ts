import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ReplicaStatus } from '../../fleet/status.js';
import { formatSelector, parseSelector, selectTargets } from '../selectors.js';
import type { FaultContext } from './types.js';

/**
 * The replicas a replica fault acts on: the running replicas of a service (or one
 * version), narrowed by a selector — one, all, a count or a percentage — picked with the
 * experiment's seeded randomness.
 */
export const replicaTargetShape = {
  service: z.string().min(1),
  version: z.string().min(1).optional(),
  select: z
    .union([z.string(), z.number()])
    .default('one')
    .superRefine((v, ctx) => {
      try {
        parseSelector(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
};

export function requireFleet(ctx: FaultContext) {
  if (!ctx.controls.fleet)
    throw new ShakedownError(
      'E_CHAOS_NO_FLEET',
      'replica faults need services run by Shakedown (a services: section)',
      {
        exitCode: ExitCode.usage,
      },
    );
  return ctx.controls.fleet;
}

/** Running (ready, or unready but alive) replicas of the service, then the selection. */
export async function pickReplicas(
  p: { service: string; version?: string | undefined; select: string | number },
  ctx: FaultContext,
  states: ReadonlyArray<ReplicaStatus['state']> = ['ready'],
): Promise<ReplicaStatus[]> {
  const services = await requireFleet(ctx).list();
  const svc = services.find((s) => s.name === p.service);
  if (!svc)
    throw new ShakedownError(
      'E_CHAOS_TARGET',
      `no service "${p.service}"; services: ${services.map((s) => s.name).join(', ')}`,
      { exitCode: ExitCode.usage },
    );
  const candidates = svc.versions
    .filter((v) => p.version === undefined || v.name === p.version)
    .flatMap((v) => v.replicas)
    .filter((r) => states.includes(r.state));
  const picked = selectTargets(candidates, parseSelector(p.select), ctx.random);
  if (picked.length === 0)
    throw new ShakedownError(
      'E_CHAOS_NO_TARGET',
      `no ${states.join('/')} replica of ${p.service}${p.version ? `/${p.version}` : ''} to act on (selector ${formatSelector(parseSelector(p.select))})`,
      { exitCode: ExitCode.environment },
    );
  return picked;
}

/** Chaos Mesh's mode/value for a selector. */
export function chaosMeshMode(select: string | number): { mode: string; value?: string } {
  const s = parseSelector(select);
  if (s.mode === 'one') return { mode: 'one' };
  if (s.mode === 'all') return { mode: 'all' };
  if (s.mode === 'count') return { mode: 'fixed', value: String(s.count) };
  return { mode: 'fixed-percent', value: String(Math.round(s.percent)) };
}
