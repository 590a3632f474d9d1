import { z } from 'zod';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { AdminRequest, AdminRoute } from '../mesh/admin/router.js';
import { durationMs, strictObject } from '../spec/types.js';
import type { Fleet } from './fleet.js';

/**
 * The fleet's control API as routes: data (method, path with `:name` segments, summary)
 * plus a handler over parsed input, in the same shape as the mesh admin API's routes, so
 * the mesh's admin listener mounts them under `/v1/fleet` with its own token check and
 * body parsing (the local platform serves them on an admin listener of their own when a
 * spec has no mesh). Reads are GET; every change is a POST and needs the bearer token.
 */
export type { AdminMethod, AdminReply, AdminRequest, AdminRoute } from '../mesh/admin/router.js';

const scaleBody = strictObject({
  replicas: z
    .number({ error: () => 'expected a number of replicas' })
    .int()
    .nonnegative(),
  version: z.string().optional(),
});
const startBody = strictObject({
  replicas: z
    .number({ error: () => 'expected a number of replicas' })
    .int()
    .positive()
    .default(1),
});
const restartBody = strictObject({
  version: z.string().optional(),
  maxSurge: z.number().int().positive().optional(),
});
const killBody = strictObject({
  signal: z
    .enum(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'])
    .default('SIGKILL'),
});
const emptyBody = strictObject({});
const pauseBody = strictObject({ ttl: durationMs.optional() });
const failBody = strictObject({ duration: durationMs });

/** Validates a body; an absent body is `{}`. Errors are usage errors naming the field. */
function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new ShakedownError('E_BAD_BODY', `invalid request body: ${where}${issue?.message ?? 'invalid'}`, {
    exitCode: ExitCode.usage,
  });
}

/** The routes, relative to where they are mounted (`/v1/fleet` by convention). */
export function fleetAdminRoutes(fleet: Fleet): AdminRoute[] {
  const p = (r: AdminRequest, name: string) => r.params[name] as string;
  return [
    {
      method: 'GET',
      path: '/services',
      summary: 'every service with its versions and replicas, and their state',
      handle: () => ({ json: { services: fleet.list() } }),
    },
    {
      method: 'GET',
      path: '/services/:service',
      summary: 'one service',
      handle: (r) => ({ json: fleet.service(p(r, 'service')) }),
    },
    {
      method: 'POST',
      path: '/services/:service/scale',
      summary: 'scale a version (default: the first) to {replicas}',
      handle: async (r) => {
        const b = parseBody(scaleBody, r.body);
        return {
          json: await fleet.scale(p(r, 'service'), b.replicas, b.version ? { version: b.version } : {}),
        };
      },
    },
    {
      method: 'POST',
      path: '/services/:service/restart',
      summary: 'replace the replicas one at a time ({version}, {maxSurge}); answers when done',
      handle: async (r) => {
        const b = parseBody(restartBody, r.body);
        return { json: await fleet.restart(p(r, 'service'), b) };
      },
    },
    {
      method: 'POST',
      path: '/services/:service/versions/:version/start',
      summary: 'start a version with {replicas}; answers when they are ready',
      handle: async (r) => {
        const b = parseBody(startBody, r.body);
        return { json: await fleet.startVersion(p(r, 'service'), p(r, 'version'), b.replicas) };
      },
    },
    {
      method: 'POST',
      path: '/services/:service/versions/:version/stop',
      summary: 'drain and stop every replica of a version',
      handle: async (r) => {
        parseBody(emptyBody, r.body);
        return { json: await fleet.stopVersion(p(r, 'service'), p(r, 'version')) };
      },
    },
    {
      method: 'GET',
      path: '/replicas/:replica',
      summary: 'one replica, with its last log lines',
      handle: (r) => ({ json: fleet.replica(p(r, 'replica')) }),
    },
    {
      method: 'POST',
      path: '/replicas/:replica/kill',
      summary: 'send {signal} (default SIGKILL) to a replica; the restart policy applies',
      handle: (r) => ({ json: fleet.kill(p(r, 'replica'), parseBody(killBody, r.body).signal) }),
    },
    {
      method: 'POST',
      path: '/replicas/:replica/pause',
      summary:
        'freeze a replica (SIGSTOP); with {ttl} it is resumed by itself after it (a lease, renewed by pausing again)',
      handle: (r) => {
        const b = parseBody(pauseBody, r.body);
        return { json: fleet.pause(p(r, 'replica'), b.ttl === undefined ? {} : { ttlMs: b.ttl }) };
      },
    },
    {
      method: 'POST',
      path: '/replicas/:replica/fail',
      summary: 'fail a replica for {duration}: SIGKILL, kept down that long, then started again',
      handle: (r) => ({ json: fleet.fail(p(r, 'replica'), parseBody(failBody, r.body).duration) }),
    },
    {
      method: 'POST',
      path: '/replicas/:replica/recover',
      summary: 'end a failure early: start the replica now',
      handle: (r) => {
        parseBody(emptyBody, r.body);
        return { json: fleet.recover(p(r, 'replica')) };
      },
    },
    {
      method: 'POST',
      path: '/replicas/:replica/resume',
      summary: 'resume a paused replica (SIGCONT)',
      handle: (r) => {
        parseBody(emptyBody, r.body);
        return { json: fleet.resume(p(r, 'replica')) };
      },
    },
  ];
}
