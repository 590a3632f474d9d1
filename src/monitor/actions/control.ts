import { z } from 'zod';
import { durationMs, strictObject } from '../../spec/types.js';
import type { ActionPlugin } from './action.js';
import { httpCallRunner } from './http-call.js';

/**
 * Responses through a control API (the mesh / fleet admin API, or a rollout
 * controller): each is a JSON POST to `adminUrl` + a path with a bearer token from
 * `tokenFile`. The default paths below are Shakedown's convention; `path` overrides one
 * when the API is laid out differently, and `{{ $labels.x }}` may be used in both.
 */
interface ControlDef {
  type: string;
  summary: string;
  defaultPath: string;
  fields: z.ZodRawShape;
  body: (c: Record<string, unknown>) => Record<string, unknown>;
}

const defs: ControlDef[] = [
  {
    type: 'restart-replica',
    summary: 'restart a replica of a service (fleet)',
    defaultPath: '/v1/services/{{service}}/replicas/{{replica}}/restart',
    fields: { service: z.string(), replica: z.string() },
    body: () => ({}),
  },
  {
    type: 'kill-replica',
    summary: 'kill a replica of a service (fleet)',
    defaultPath: '/v1/services/{{service}}/replicas/{{replica}}/kill',
    fields: { service: z.string(), replica: z.string() },
    body: () => ({}),
  },
  {
    type: 'eject-endpoint',
    summary: 'eject an endpoint from load balancing for a while (mesh)',
    defaultPath: '/v1/clusters/{{service}}/endpoints/{{endpoint}}/eject',
    fields: { service: z.string(), endpoint: z.string(), duration: durationMs.default(30_000) },
    body: (c) => ({ durationMs: c.duration }),
  },
  {
    type: 'scale',
    summary: 'set the replica count of a service (fleet)',
    defaultPath: '/v1/services/{{service}}/scale',
    fields: { service: z.string(), replicas: z.number().int().nonnegative() },
    body: (c) => ({ replicas: c.replicas }),
  },
  {
    type: 'rollback',
    summary: 'roll back a rollout (delivery)',
    defaultPath: '/v1/rollouts/{{rollout}}/rollback',
    fields: { rollout: z.string() },
    body: () => ({}),
  },
];

/** The control-API action plugins. */
export const controlActions: Array<{ type: string; plugin: ActionPlugin }> = defs.map((d) => {
  const schema = strictObject({
    type: z.literal(d.type),
    adminUrl: z
      .string()
      .url({ error: () => 'expected the admin API base URL such as http://127.0.0.1:7001' }),
    tokenFile: z.string({ error: () => 'expected tokenFile: the file holding the admin API bearer token' }),
    path: z.string().optional(),
    timeout: durationMs.default(10_000),
    ...d.fields,
  });
  const plugin: ActionPlugin<z.output<typeof schema>> = {
    summary: d.summary,
    schema,
    create: (c, ctx) => {
      const fields = c as Record<string, unknown>;
      // {{service}}-style placeholders take the action's own fields; alert templates stay.
      const path = (c.path ?? d.defaultPath).replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
        const v = String(fields[k] ?? '');
        return v.includes('{{') ? v : encodeURIComponent(v);
      });
      return httpCallRunner(
        {
          url: `${c.adminUrl.replace(/\/+$/, '')}${path}`,
          method: 'POST',
          tokenFile: c.tokenFile,
          body: d.body(fields),
          timeoutMs: c.timeout,
        },
        ctx,
      );
    },
  };
  return { type: d.type, plugin: plugin as unknown as ActionPlugin };
});
