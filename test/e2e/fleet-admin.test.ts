import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { fleetAdminRoutes } from '../../src/fleet/admin-routes.js';
import { Fleet } from '../../src/fleet/fleet.js';
import type { ReplicaStatus, ServiceStatus } from '../../src/fleet/status.js';
import { AdminRouter } from '../../src/mesh/admin/router.js';
import { AdminServer } from '../../src/mesh/admin/server.js';
import {
  CollectingSink,
  eventually,
  fixtureDefinition,
  fixtureService,
  processState,
} from '../helpers/fleet.js';

// The fleet admin routes on an admin listener of their own (as the local platform serves
// them without a mesh), over real HTTP, against a real fleet of two versions.

const token = 'test-token-0123456789';
let fleet: Fleet;
let admin: AdminServer;
const sink = new CollectingSink();

beforeAll(async () => {
  const def = fixtureDefinition('catalog');
  def.versions = [
    { name: 'v1', run: [process.execPath, fixtureService], env: {}, replicas: 2 },
    { name: 'v2', run: [process.execPath, fixtureService], env: {}, replicas: 0 },
  ];
  fleet = new Fleet({ services: [def], stateDir: await mkdtemp(join(tmpdir(), 'shakedown-admin-')), sink });
  await fleet.start();
  const router = new AdminRouter();
  router.mount('/v1/fleet', fleetAdminRoutes(fleet));
  admin = new AdminServer(router, token, '127.0.0.1', 0, silentLogger);
  await admin.listen();
});
afterAll(async () => {
  await admin?.close();
  await fleet?.stop();
});

async function call(method: string, path: string, body?: unknown, auth: string | null = `Bearer ${token}`) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = auth;
  const res = await fetch(`${admin.url}/v1/fleet${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

const replicasOf = (s: ServiceStatus, v = 0) => s.versions[v]?.replicas ?? [];

describe('fleet admin API', () => {
  it('lists services and replicas with their state, without a token', async () => {
    const r = await call('GET', '/services', undefined, null);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    const [catalog] = r.json.services as ServiceStatus[];
    expect(catalog?.name).toBe('catalog');
    expect(catalog?.versions.map((v) => [v.name, v.desired, v.ready])).toEqual([
      ['v1', 2, 2],
      ['v2', 0, 0],
    ]);
    expect(replicasOf(catalog as ServiceStatus).map((x) => x.state)).toEqual(['ready', 'ready']);
    const one = await call('GET', '/replicas/catalog-v1-0', undefined, null);
    expect((one.json as unknown as ReplicaStatus).lastLines?.join('\n')).toContain('hello from catalog-v1-0');
  });

  it('answers 401 to changes without the right token, and changes nothing', async () => {
    const before = sink.events.length;
    for (const auth of [null, 'Bearer wrong-token', `Basic ${token}`, token]) {
      const r = await call('POST', '/services/catalog/scale', { replicas: 5 }, auth);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
      expect((r.json.error as { code: string }).code).toBe('E_UNAUTHORIZED');
    }
    const k = await call('POST', '/replicas/catalog-v1-0/kill', {}, null);
    expect(k.status).toBe(401);
    expect(fleet.service('catalog').versions[0]?.desired).toBe(2);
    expect(replicasOf(fleet.service('catalog'))).toHaveLength(2);
    expect(fleet.replica('catalog-v1-0').restarts).toBe(0);
    expect(sink.events.length).toBe(before);
  });

  it('scales, starts and stops a version with the token', async () => {
    let r = await call('POST', '/services/catalog/scale', { replicas: 3 });
    expect(r.status).toBe(200);
    expect((r.json as unknown as ServiceStatus).versions[0]?.ready).toBe(3);
    r = await call('POST', '/services/catalog/versions/v2/start', { replicas: 1 });
    expect(r.status).toBe(200);
    expect((r.json as unknown as ServiceStatus).versions[1]).toMatchObject({ desired: 1, ready: 1 });
    r = await call('POST', '/services/catalog/versions/v2/stop');
    expect((r.json as unknown as ServiceStatus).versions[1]).toMatchObject({ desired: 0, replicas: [] });
    r = await call('POST', '/services/catalog/scale', { replicas: 2, version: 'v1' });
    expect(replicasOf(r.json as unknown as ServiceStatus)).toHaveLength(2);
  });

  it('kills, pauses and resumes a replica', async () => {
    const pid = fleet.replica('catalog-v1-1').pid as number;
    let r = await call('POST', '/replicas/catalog-v1-1/pause');
    expect(r.status).toBe(200);
    expect((r.json as unknown as ReplicaStatus).state).toBe('paused');
    expect(await eventually(() => processState(pid) === 'T')).toBe(true);
    r = await call('POST', '/replicas/catalog-v1-1/pause');
    expect(r.status).toBe(200); // pausing a paused replica is a no-op
    r = await call('POST', '/replicas/catalog-v1-1/resume');
    expect((r.json as unknown as ReplicaStatus).state).toBe('ready');
    r = await call('POST', '/replicas/catalog-v1-1/resume');
    expect(r.status).toBe(409);
    const since = sink.events.length;
    r = await call('POST', '/replicas/catalog-v1-1/kill', { signal: 'SIGKILL' });
    expect(r.status).toBe(200);
    await sink.waitFor((e) => e.kind === 'replica.ready' && e.subject === 'catalog-v1-1', 10_000, since);
    expect(fleet.replica('catalog-v1-1').restarts).toBe(1);
  });

  it('restarts a service through the API and answers when done', async () => {
    const r = await call('POST', '/services/catalog/restart', {});
    expect(r.status).toBe(200);
    expect((r.json.replaced as unknown[]).length).toBe(2);
    expect(fleet.service('catalog').versions[0]?.ready).toBe(2);
  });

  it('rejects bad input with a clear error and the right status', async () => {
    let r = await call('POST', '/services/nope/scale', { replicas: 1 });
    expect(r.status).toBe(404);
    expect((r.json.error as { message: string }).message).toContain('no service "nope"; services: catalog');
    r = await call('POST', '/services/catalog/scale', { replicas: -1 });
    expect(r.status).toBe(400);
    expect((r.json.error as { message: string }).message).toContain('replicas');
    r = await call('POST', '/services/catalog/scale', { replicas: 1, extra: true });
    expect(r.status).toBe(400);
    expect((r.json.error as { message: string }).message).toContain('unknown key "extra"');
    r = await call('POST', '/replicas/catalog-v1-0/kill', { signal: 'SIGSTOP' });
    expect(r.status).toBe(400);
    const raw = await fetch(`${admin.url}/v1/fleet/services/catalog/scale`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{not json',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe('E_BAD_JSON');
    r = await call('DELETE', '/services/catalog');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
    r = await call('GET', '/nothing-here', undefined, null);
    expect(r.status).toBe(404);
    expect(fleet.service('catalog').versions[0]?.desired).toBe(2);
  });
});
