import { z } from 'zod';
import { usageError } from '../../core/errors.js';
import { parseDurationMs } from '../../core/units.js';
import { overrideSchema } from '../../spec/sections/mesh.js';
import { durationMs, fraction, strictObject } from '../../spec/types.js';
import type { MeshControl } from '../control.js';
import { parseInput } from '../validate.js';
import type { AdminRoute } from './router.js';

/**
 * The admin API's own routes, a thin layer over {@link MeshControl}: each parses its
 * payload, makes one call and returns its result as JSON. Paths are versioned (`/v1`).
 */
const weightsBody = strictObject({
  weights: z.record(z.string(), z.number({ error: () => 'expected a number ≥ 0' }).nonnegative()),
});
const routingBody = strictObject({
  overrides: z.array(overrideSchema).optional(),
  mirror: strictObject({ version: z.string().min(1), percentage: fraction.default(1) })
    .nullable()
    .optional(),
});
const endpointBody = strictObject({ address: z.string({ error: () => 'expected "host:port"' }) });
const drainBody = strictObject({ timeout: durationMs.optional() }).optional();
const renewBody = strictObject({ ttl: durationMs });

function sinceOf(q: URLSearchParams): number {
  const s = q.get('since');
  if (s === null || s === '') return 0;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0)
    throw usageError('E_QUERY', `since must be ms since the epoch, got "${s}"`);
  return n;
}

function durationQuery(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  return v === null || v === '' ? undefined : parseDurationMs(/^\d+$/.test(v) ? Number(v) : v, name);
}

export function meshAdminRoutes(
  mesh: MeshControl,
  metrics: () => Promise<{ contentType: string; text: string }>,
): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      summary: 'liveness of the admin API',
      handle: () => ({ json: { ok: true } }),
    },
    {
      method: 'GET',
      path: '/metrics',
      summary: 'Prometheus text exposition of the mesh metrics',
      handle: async () => {
        const m = await metrics();
        return { text: m.text, contentType: m.contentType };
      },
    },
    {
      method: 'GET',
      path: '/v1/state',
      summary: 'the whole mesh state',
      handle: async () => ({ json: await mesh.state() }),
    },
    {
      method: 'GET',
      path: '/v1/services/:service/weights',
      summary: "a service's version weights",
      handle: async (r) => ({ json: { weights: await mesh.weights(r.params.service as string) } }),
    },
    {
      method: 'PUT',
      path: '/v1/services/:service/weights',
      summary: 'set version weights; applies from the next request',
      handle: async (r) => {
        const body = parseInput(weightsBody, r.body, 'weights');
        const service = r.params.service as string;
        await mesh.setWeights(service, body.weights);
        return { json: { weights: await mesh.weights(service) } };
      },
    },
    {
      method: 'PUT',
      path: '/v1/services/:service/routing',
      summary: 'set version overrides (header routes) and mirroring; applies from the next request',
      handle: async (r) => {
        const body = parseInput(routingBody, r.body, 'routing');
        const service = r.params.service as string;
        await mesh.setRouting(service, {
          ...(body.overrides !== undefined ? { overrides: body.overrides } : {}),
          ...(body.mirror !== undefined ? { mirror: body.mirror } : {}),
        });
        const st = (await mesh.state()).services.find((x) => x.name === service);
        return { json: { overrides: st?.overrides ?? [], mirror: st?.mirror ?? null } };
      },
    },
    {
      method: 'POST',
      path: '/v1/services/:service/versions/:version/endpoints',
      summary: 'register an endpoint (host:port) in a version',
      handle: async (r) => {
        const body = parseInput(endpointBody, r.body, 'endpoint');
        return {
          status: 201,
          json: await mesh.addEndpoint(r.params.service as string, r.params.version as string, body.address),
        };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/services/:service/versions/:version/endpoints/:endpoint',
      summary: 'drain then remove an endpoint (?drainTimeout=30s)',
      handle: async (r) => {
        const drainTimeoutMs = durationQuery(r.query, 'drainTimeout');
        return {
          json: await mesh.removeEndpoint(
            r.params.service as string,
            r.params.version as string,
            r.params.endpoint as string,
            drainTimeoutMs === undefined ? {} : { drainTimeoutMs },
          ),
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/services/:service/versions/:version/endpoints/:endpoint/drain',
      summary: 'stop new requests to an endpoint and wait for in-flight ones ({timeout})',
      handle: async (r) => {
        const body = parseInput(drainBody, r.body, 'drain');
        return {
          json: await mesh.drainEndpoint(
            r.params.service as string,
            r.params.version as string,
            r.params.endpoint as string,
            body?.timeout === undefined ? {} : { timeoutMs: body.timeout },
          ),
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/faults',
      summary: 'faults in force',
      handle: async () => ({ json: { faults: await mesh.faults() } }),
    },
    {
      method: 'POST',
      path: '/v1/faults',
      summary: 'add a fault (delay, abort, bandwidth) with an optional ttl',
      handle: async (r) => ({ status: 201, json: await mesh.addFault(r.body as never) }),
    },
    {
      method: 'DELETE',
      path: '/v1/faults',
      summary: 'remove every fault added at run time',
      handle: async () => ({ json: { removed: await mesh.clearFaults() } }),
    },
    {
      method: 'DELETE',
      path: '/v1/faults/:id',
      summary: 'remove one fault',
      handle: async (r) => {
        const id = r.params.id as string;
        if (!(await mesh.removeFault(id))) {
          return {
            status: 404,
            json: { error: { code: 'E_MESH_UNKNOWN_FAULT', message: `no fault "${id}"` } },
          };
        }
        return { json: { removed: id } };
      },
    },
    {
      method: 'POST',
      path: '/v1/faults/:id/renew',
      summary: "renew a fault's TTL lease ({ttl}): it expires that long from now",
      handle: async (r) => {
        const body = parseInput(renewBody, r.body, 'renewal');
        return { json: await mesh.renewFault(r.params.id as string, body.ttl) };
      },
    },
    {
      method: 'POST',
      path: '/v1/reset',
      summary: 'back to the spec: run-time faults removed, configured weights, ejections forgotten',
      handle: async () => {
        await mesh.reset();
        return { json: { ok: true } };
      },
    },
    {
      method: 'GET',
      path: '/v1/windows',
      summary: 'per-second windows (?since=ms), histograms HdrHistogram-encoded',
      handle: async (r) => ({ json: { windows: await mesh.windows(sinceOf(r.query)) } }),
    },
    {
      method: 'GET',
      path: '/v1/events',
      summary: 'the event timeline (?since=ms)',
      handle: async (r) => ({ json: { events: await mesh.events(sinceOf(r.query)) } }),
    },
  ];
}
