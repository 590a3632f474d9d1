import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import {
  connectClient,
  startTcpServer,
  type TestTcpServer,
  within,
} from '../../../test/helpers/tcp-peers.js';
import { parseSpecText } from '../../spec/load-spec.js';
import { meshConfigFromSpec } from '../from-spec.js';
import { Mesh } from '../mesh.js';
import { TcpPlane } from './plane.js';

// The TCP listeners of `mesh.tcp` run as the mesh's `tcp` plane: they start and stop with
// it, their events join its timeline, and the admin API drives them with the same token.
let http: TestServer;
let db: TestTcpServer;
let standby: TestTcpServer;
let mesh: Mesh;
let plane: TcpPlane;
let admin: string;
let token: string;

beforeAll(async () => {
  http = await startTestServer((_req, res) => res.end('ok'));
  db = await startTcpServer();
  standby = await startTcpServer((s) => {
    s.end('standby\n');
  });
  const { spec } = parseSpecText(`version: 1
mesh:
  services:
    shop: { versions: { v1: { endpoints: ["127.0.0.1:${http.port}"] } } }
  tcp:
    - name: db
      listen: 127.0.0.1:0
      upstream: 127.0.0.1:${db.port}
`);
  if (!spec.mesh) throw new Error('no mesh section');
  plane = new TcpPlane(spec.mesh.tcp);
  mesh = new Mesh(meshConfigFromSpec(spec.mesh), { planes: [plane] });
  const a = await mesh.start();
  admin = a.admin?.url as string;
  token = readFileSync(a.admin?.tokenFile as string, 'utf8').trim();
});
afterAll(async () => {
  await mesh.stop({ drainTimeoutMs: 100 });
  await Promise.all([http.close(), db.close(), standby.close()]);
});

const dbPort = () => plane.listener('db').address.port;

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, auth = true) {
  const r = await request(`${admin}/v1/tcp${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.statusCode, json: (await r.body.json()) as Record<string, unknown> };
}

async function echoRoundTripMs(): Promise<number> {
  const c = connectClient(dbPort());
  const t0 = performance.now();
  c.socket.write('ping');
  await within(c.waitForBytes(4), 5000, 'echo');
  const ms = performance.now() - t0;
  c.socket.destroy();
  return ms;
}

describe('TCP plane of the mesh', () => {
  it('listens with the mesh, shows in its addresses and state', async () => {
    expect(mesh.addresses().planes.tcp?.[0]?.name).toBe('db');
    expect(mesh.addresses().planes.tcp?.[0]?.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const list = await call('GET', '/listeners');
    expect(list.status).toBe(200);
    expect((list.json as unknown as Array<{ name: string }>)[0]?.name).toBe('db');
  });

  it('refuses changes without the token and changes nothing', async () => {
    const r = await call(
      'POST',
      '/listeners/db/toxics',
      { type: 'latency', attributes: { latencyMs: 500 } },
      false,
    );
    expect(r.status).toBe(401);
    expect(plane.listener('db').toxics()).toHaveLength(0);
  });

  it('adds a toxic with a lease that lapses by itself, as a mesh event', async () => {
    const added = await call('POST', '/listeners/db/toxics', {
      type: 'latency',
      stream: 'upstream',
      attributes: { latencyMs: 150 },
      ttl: '600ms',
    });
    expect(added.status).toBe(201);
    expect(added.json.name).toBe('latency_upstream');
    expect(await echoRoundTripMs()).toBeGreaterThanOrEqual(145);
    await new Promise((r) => setTimeout(r, 700));
    expect(plane.listener('db').toxics()).toHaveLength(0);
    expect(await echoRoundTripMs()).toBeLessThan(100);
    const kinds = (await mesh.events(0)).map((e) => `${e.kind}:${e.data.reason ?? ''}`);
    expect(kinds).toContain('mesh.tcp.toxic.added:');
    expect(kinds).toContain('mesh.tcp.toxic.removed:ttl');
  });

  it('names the problem in a bad toxic and in an unknown listener', async () => {
    const bad = await call('POST', '/listeners/db/toxics', {
      type: 'latency',
      attributes: { latencyMs: 'x' },
    });
    expect(bad.status).toBe(400);
    const unknown = await call('POST', '/listeners/nope/disable');
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.json)).toContain('db');
  });

  it('takes the listener down and up, and repoints it (failover)', async () => {
    expect((await call('POST', '/listeners/db/disable')).status).toBe(200);
    const refused = await connectClient(dbPort()).done;
    expect(refused.errorCode).toBe('ECONNREFUSED');
    expect((await call('POST', '/listeners/db/enable')).status).toBe(200);
    expect(await echoRoundTripMs()).toBeLessThan(1000);

    const moved = await call('PUT', '/listeners/db/upstream', { address: `127.0.0.1:${standby.port}` });
    expect(moved.status).toBe(200);
    expect(moved.json.upstream).toBe(`127.0.0.1:${standby.port}`);
    const c = await connectClient(dbPort()).done;
    expect(c.data.toString()).toBe('standby\n');
  });

  it('renews toxic leases, and takes the listener down on a lease that lapses by itself', async () => {
    await call('POST', '/listeners/db/toxics', {
      name: 'leased',
      type: 'slow_close',
      attributes: { delayMs: 1 },
      ttl: '300ms',
    });
    const renewed = await call('POST', '/listeners/db/toxics/leased/renew', { ttl: '5s' });
    expect(renewed.status).toBe(200);
    expect(renewed.json.expiresAtMs as number).toBeGreaterThan(Date.now() + 4000);
    await new Promise((r) => setTimeout(r, 400));
    expect(
      plane
        .listener('db')
        .toxics()
        .map((t) => t.name),
    ).toEqual(['leased']);
    expect((await call('DELETE', '/listeners/db/toxics/leased')).status).toBe(200);
    expect((await call('POST', '/listeners/db/toxics/leased/renew', { ttl: '5s' })).status).toBe(404);

    expect((await call('POST', '/listeners/db/disable', { ttl: '300ms' })).status).toBe(200);
    expect((await connectClient(dbPort()).done).errorCode).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 500));
    expect(plane.listener('db').enabled).toBe(true);
    expect((await connectClient(dbPort()).done).errorCode).toBeUndefined();
    const kinds = (await mesh.events(0)).map((e) => e.kind);
    expect(kinds).toContain('mesh.tcp.listener.lease-expired');
  });

  it('is reset with the mesh: run-time toxics go', async () => {
    await call('POST', '/listeners/db/toxics', { type: 'timeout', attributes: { timeoutMs: 0 } });
    expect(plane.listener('db').toxics()).toHaveLength(1);
    const r = await request(`${admin}/v1/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    await r.body.dump();
    expect(r.statusCode).toBe(200);
    expect(plane.listener('db').toxics()).toHaveLength(0);
  });
});
