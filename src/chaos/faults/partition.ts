import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { FaultRequest } from '../../mesh/control.js';
import { meshTemplateRe } from '../../spec/sections/services.js';
import type { ChaosMeshObject, RenderContext } from '../render/types.js';
import { defineFault, type FaultContext, leaseTtl } from './types.js';

/**
 * A network partition between two services, through the mesh: calls from one to the other
 * are black-holed (held until the route's timeout, 504) or reset. `direction: to` cuts
 * `from → to`, `from` cuts `to → from`, `both` both. The mesh does not know who calls, so
 * it cuts the routes of the callee on the listeners the caller uses (the `{{mesh.X}}` in
 * its env; a service that names none calls nothing through the mesh): other callers of
 * those routes are cut too.
 */
const templateRe = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The mesh listeners a service reaches others through (from its env templates). */
export function listenersUsedBy(ctx: FaultContext, service: string): string[] | undefined {
  const svc = ctx.spec?.services?.[service];
  if (!svc) return undefined;
  const envs = [svc.env, ...Object.values(svc.versions ?? {}).map((v) => v.env ?? {})];
  const names = new Set<string>();
  for (const env of envs)
    for (const value of Object.values(env))
      for (const m of value.matchAll(templateRe)) {
        const l = meshTemplateRe.exec(m[1] as string)?.[1];
        if (l) names.add(l);
      }
  return names.size ? [...names] : undefined;
}

/** The routes that carry calls from `caller` to `callee`. */
export async function routesBetween(ctx: FaultContext, caller: string, callee: string): Promise<string[]> {
  const mesh = ctx.controls.mesh;
  if (!mesh)
    throw new ShakedownError('E_CHAOS_NO_MESH', 'a mesh partition needs a mesh (a mesh: section)', {
      exitCode: ExitCode.usage,
    });
  const state = await mesh.state();
  if (!state.services.some((s) => s.name === callee))
    throw new ShakedownError('E_CHAOS_TARGET', `no service "${callee}" in the mesh`, {
      exitCode: ExitCode.usage,
    });
  const used = listenersUsedBy(ctx, caller) ?? [];
  const all = state.listeners.map((l) => l.name);
  return state.routes
    .filter((r) => r.service === callee)
    .filter((r) => (r.listeners.length ? r.listeners : all).some((l) => used.includes(l)))
    .map((r) => r.name);
}

export const partitionFault = defineFault({
  type: 'partition',
  summary: 'partition two services through the mesh: calls between them black-holed (route timeout) or reset',
  shape: {
    from: z.string().min(1),
    to: z.string().min(1),
    direction: z.enum(['to', 'from', 'both']).default('both'),
    mode: z.enum(['blackhole', 'reset']).default('blackhole'),
  },
  async plan(p, ctx, instance) {
    const pairs: Array<[string, string]> = [];
    if (p.direction !== 'from') pairs.push([p.from, p.to]);
    if (p.direction !== 'to') pairs.push([p.to, p.from]);
    const faults: Array<{ id: string; request: FaultRequest }> = [];
    const targets: string[] = [];
    for (const [caller, callee] of pairs) {
      for (const route of await routesBetween(ctx, caller, callee)) {
        const request: FaultRequest =
          p.mode === 'reset'
            ? { type: 'abort', reset: true, route }
            : { type: 'delay', delay: Math.max(instance.ttlMs, 1000), route };
        faults.push({ id: `${instance.id}-${faults.length}`, request });
        targets.push(`${caller} → ${callee} (route ${route})`);
      }
    }
    if (faults.length === 0)
      throw new ShakedownError(
        'E_CHAOS_NO_TARGET',
        `no mesh route carries calls between ${p.from} and ${p.to} (direction ${p.direction})`,
        { exitCode: ExitCode.usage },
      );
    return { targets, data: { faults } };
  },
  async inject(data, ctx, _instance, leaseUntilMs) {
    for (const f of data.faults as Array<{ id: string; request: FaultRequest }>) {
      await ctx.controls.mesh?.addFault({ ...f.request, id: f.id, ttl: leaseTtl(leaseUntilMs, ctx.now()) });
    }
  },
  async renew(data, ctx, _instance, leaseUntilMs) {
    let any = false;
    for (const f of data.faults as Array<{ id: string }>) {
      try {
        await ctx.controls.mesh?.renewFault(f.id, leaseTtl(leaseUntilMs, ctx.now()));
        any = true;
      } catch (e) {
        if ((e as { code?: string }).code !== 'E_MESH_UNKNOWN_FAULT') throw e;
      }
    }
    return any;
  },
  async revert(data, ctx) {
    let any = false;
    for (const f of data.faults as Array<{ id: string }>)
      if (await ctx.controls.mesh?.removeFault(f.id)) any = true;
    return any ? 'reverted' : 'gone';
  },
  render: (p, r: RenderContext): ChaosMeshObject[] => [
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        action: 'partition',
        mode: 'all',
        selector: { namespaces: [r.namespace], labelSelectors: r.selectorOf(p.from) },
        direction: p.direction,
        target: { mode: 'all', selector: { namespaces: [r.namespace], labelSelectors: r.selectorOf(p.to) } },
        ...(r.duration ? { duration: r.duration } : {}),
      },
    },
  ],
});
