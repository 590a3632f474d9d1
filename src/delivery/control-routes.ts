import { z } from 'zod';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { AdminRoute } from '../mesh/admin/router.js';
import type { RolloutController } from './controller.js';

/**
 * The rollout controller's control API, in the admin API's route shape (so the same
 * server, token check and error format serve it): status reads are open, changes need the
 * bearer token. `POST /v1/rollouts/{service}/rollback` is the path the `rollback` action of
 * `shakedown watch` posts to; a client that posts `compare`'s verdict JSON there (with the
 * token) is recorded as a regression hook (the body's `verdict`).
 */
const promoteBody = z.object({ full: z.boolean().optional() }).optional();
const abortBody = z
  .object({ reason: z.string().max(500).optional(), by: z.string().max(50).optional() })
  .loose()
  .optional();

export function rolloutControlRoutes(controllers: ReadonlyMap<string, RolloutController>): AdminRoute[] {
  const get = (service: string) => {
    const c = controllers.get(service);
    if (!c)
      throw new ShakedownError('E_ROLLOUT_UNKNOWN', `no rollout of "${service}" runs here`, {
        exitCode: ExitCode.usage,
        hint: `rollouts: ${[...controllers.keys()].join(', ') || '(none)'}`,
      });
    return c;
  };
  const parse = <T extends z.ZodType>(schema: T, body: unknown): z.output<T> => {
    const r = schema.safeParse(body);
    if (!r.success)
      throw new ShakedownError(
        'E_BAD_BODY',
        `invalid request body: ${r.error.issues[0]?.message ?? 'invalid'}`,
        {
          exitCode: ExitCode.usage,
        },
      );
    return r.data;
  };
  return [
    {
      method: 'GET',
      path: '/v1/rollouts',
      summary: 'every rollout this controller runs, with its status',
      handle: () => ({ json: { rollouts: [...controllers.values()].map((c) => c.status()) } }),
    },
    {
      method: 'GET',
      path: '/v1/rollouts/:service',
      summary: "a rollout's status",
      handle: (r) => ({ json: get(r.params.service as string).status() }),
    },
    {
      method: 'POST',
      path: '/v1/rollouts/:service/promote',
      summary: 'continue a paused rollout ({full: true}: skip every remaining step)',
      handle: (r) => {
        const c = get(r.params.service as string);
        const body = parse(promoteBody, r.body);
        c.promote({ full: body?.full ?? false });
        return { json: c.status() };
      },
    },
    {
      method: 'POST',
      path: '/v1/rollouts/:service/abort',
      summary: 'abort: traffic back to the stable version at once',
      handle: (r) => {
        const c = get(r.params.service as string);
        const body = parse(abortBody, r.body);
        c.abort(body?.reason ?? 'aborted by request', body?.by ?? 'user');
        return { json: c.status() };
      },
    },
    {
      method: 'POST',
      path: '/v1/rollouts/:service/rollback',
      summary: 'roll back (the watch rollback action, a compare regression hook)',
      handle: (r) => {
        const c = get(r.params.service as string);
        const body = (r.body ?? {}) as Record<string, unknown>;
        const fromCompare = typeof body.verdict === 'string';
        const regressions = Array.isArray(body.regressions) ? body.regressions.slice(0, 5).join(', ') : '';
        const reason =
          typeof body.reason === 'string'
            ? body.reason
            : fromCompare
              ? `compare found a regression${regressions ? `: ${regressions}` : ''}`
              : 'rollback requested (watch alert)';
        c.abort(reason, typeof body.by === 'string' ? body.by : fromCompare ? 'compare' : 'watch');
        return { json: c.status() };
      },
    },
  ];
}
