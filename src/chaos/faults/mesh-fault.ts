import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { FaultRequest } from '../../mesh/control.js';
import { fraction, strictObject } from '../../spec/types.js';
import type { ChaosMeshObject, RenderContext } from '../render/types.js';
import { defineFault, type FaultContext, type FaultType, leaseTtl } from './types.js';

/**
 * The shared part of the L7 faults carried out by the mesh's fault filters (Envoy / Istio
 * fault injection): where (route, service, version), how much (percentage, header), and
 * the lease — the fault goes into the mesh with a TTL of one lease and is renewed while
 * the controller runs, so it lapses by itself soon after the controller dies.
 */
export const meshTargetShape = {
  route: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  percentage: fraction.default(1),
  header: z
    .union([z.string().min(1), strictObject({ name: z.string().min(1), equals: z.string().optional() })])
    .optional(),
};

type MeshTarget = {
  route?: string | undefined;
  service?: string | undefined;
  version?: string | undefined;
  percentage: number;
  header?: string | { name: string; equals?: string | undefined } | undefined;
};

function requireMesh(ctx: FaultContext) {
  if (!ctx.controls.mesh)
    throw new ShakedownError('E_CHAOS_NO_MESH', 'this fault needs a mesh (the spec has no mesh: section)', {
      exitCode: ExitCode.usage,
    });
  return ctx.controls.mesh;
}

function describeTarget(t: MeshTarget): string {
  const where = [
    t.route ? `route ${t.route}` : undefined,
    t.service ? `service ${t.service}${t.version ? `/${t.version}` : ''}` : undefined,
  ].filter(Boolean);
  return `${where.join(', ') || 'every request'}${t.percentage < 1 ? ` (${Math.round(t.percentage * 1000) / 10}%)` : ''}`;
}

/**
 * Builds an L7 fault type: `toMesh` turns the parameters into the mesh fault's own fields
 * (type `delay`, `abort` or `bandwidth` with theirs); `render` gives its HTTPChaos.
 */
export function meshFault<S extends z.ZodRawShape>(def: {
  type: string;
  summary: string;
  shape: S;
  toMesh(
    p: z.output<z.ZodObject<S>> & MeshTarget,
    ctx: FaultContext,
    instance: { ttlMs: number },
  ): Promise<Record<string, unknown>> | Record<string, unknown>;
  render?(p: z.output<z.ZodObject<S>> & MeshTarget, r: RenderContext): ChaosMeshObject[];
}): FaultType {
  return defineFault({
    type: def.type,
    summary: def.summary,
    shape: { ...meshTargetShape, ...def.shape },
    async plan(p, ctx, instance) {
      const params = p as z.output<z.ZodObject<S>> & MeshTarget;
      requireMesh(ctx);
      const fields = await def.toMesh(params, ctx, instance);
      const request: Record<string, unknown> = {
        ...fields,
        ...(params.route ? { route: params.route } : {}),
        ...(params.service ? { service: params.service } : {}),
        ...(params.version ? { version: params.version } : {}),
        percentage: params.percentage,
        ...(params.header ? { header: params.header } : {}),
      };
      return {
        targets: [describeTarget(params)],
        data: { request },
      };
    },
    async inject(data, ctx, instance, leaseUntilMs) {
      await requireMesh(ctx).addFault({
        ...(data.request as FaultRequest),
        id: instance.id,
        ttl: leaseTtl(leaseUntilMs, ctx.now()),
      });
    },
    async renew(_data, ctx, instance, leaseUntilMs) {
      try {
        await requireMesh(ctx).renewFault(instance.id, leaseTtl(leaseUntilMs, ctx.now()));
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === 'E_MESH_UNKNOWN_FAULT') return false;
        throw e;
      }
    },
    async revert(_data, ctx, id) {
      return (await requireMesh(ctx).removeFault(id)) ? 'reverted' : 'gone';
    },
    ...(def.render ? { render: def.render as never } : {}),
  });
}

/** The HTTPChaos target of a mesh fault: the service's pods, requests (`Request`) to its port. */
export function httpChaos(
  p: MeshTarget,
  r: RenderContext,
  fields: Record<string, unknown>,
): ChaosMeshObject[] {
  if (!p.service) return [];
  return [
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'HTTPChaos',
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        mode: p.percentage < 1 ? 'random-max-percent' : 'all',
        ...(p.percentage < 1 ? { value: String(Math.max(1, Math.round(p.percentage * 100))) } : {}),
        selector: { namespaces: [r.namespace], labelSelectors: r.selectorOf(p.service, p.version) },
        target: 'Request',
        port: r.portOf(p.service),
        ...(typeof p.header === 'object' && p.header.equals !== undefined
          ? { request_headers: { [p.header.name]: p.header.equals } }
          : {}),
        ...fields,
        ...(r.duration ? { duration: r.duration } : {}),
      },
    },
  ];
}
