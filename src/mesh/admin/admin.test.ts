import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import { meshConfigFromYaml } from '../../../test/helpers/mesh.js';
import { Mesh } from '../mesh.js';
import { AdminRouter } from './router.js';
import { meshAdminRoutes } from './routes.js';

// The admin API over real HTTP: reads are open, every change needs the bearer token, and a
// call without it answers 401 and changes nothing.
let v1: TestServer;
let v2: TestServer;
let mesh: Mesh;
let proxy: string;
let admin: string;
let tokenFile: string;
let token: string;

beforeAll(async () => {
  v1 = await startTestServer((_req, res) => res.end('v1'));
  v2 = await startTestServer((_req, res) => res.end('v2'));
  mesh = new Mesh(
    meshConfigFromYaml(`
  services:
    shop:
      versions:
        v1: { weight: 100, endpoints: ["127.0.0.1:${v1.port}"] }
        v2: { weight: 0, endpoints: ["127.0.0.1:${v2.port}"] }
`),
  );
  const a = await mesh.start();
  proxy = a.listeners[0]?.url as string;
  admin = a.admin?.url as string;
  tokenFile = a.admin?.tokenFile as string;
  token = readFileSync(tokenFile, 'utf8').trim();
});
afterAll(async () => {
  await mesh.stop({ drainTimeoutMs: 100 });
  await v1.close();
  await v2.close();
});

/** `auth` null: no Authorization header at all. */
async function call(method: string, path: string, body?: unknown, auth: string | null = token) {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await request(`${admin}${path}`, {
    method: method as 'GET',
    headers,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, headers: r.headers, text, json: json as Record<string, unknown> };
}

async function proxied(): Promise<string> {
  const r = await request(`${proxy}/`);
  return r.body.text();
}

const endpoint = () => `127.0.0.1:${v1.port}`;
const mutations = (): Array<[string, string, unknown]> => [
  ['PUT', '/v1/services/shop/weights', { weights: { v1: 0, v2: 100 } }],
  ['POST', '/v1/services/shop/versions/v3/endpoints', { address: '127.0.0.1:1' }],
  ['DELETE', `/v1/services/shop/versions/v1/endpoints/${encodeURIComponent(endpoint())}`, undefined],
  ['POST', `/v1/services/shop/versions/v1/endpoints/${encodeURIComponent(endpoint())}/drain`, {}],
  ['POST', '/v1/faults', { type: 'abort', status: 503 }],
  ['DELETE', '/v1/faults', undefined],
  ['DELETE', '/v1/faults/any', undefined],
  ['POST', '/v1/reset', undefined],
];

describe('admin API authentication', () => {
  it('writes a generated token to a file only its owner can read', () => {
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(token.length).toBeGreaterThanOrEqual(40);
  });

  it('answers 401 to every change without the right token, and changes nothing', async () => {
    const before = await call('GET', '/v1/state');
    for (const [method, path, body] of mutations()) {
      for (const auth of [null, 'wrong-token', '']) {
        const r = await call(method, path, body, auth);
        expect(r.status, `${method} ${path} with ${auth}`).toBe(401);
        expect(r.headers['www-authenticate']).toContain('Bearer');
        expect((r.json.error as { code: string }).code).toBe('E_UNAUTHORIZED');
      }
    }
    const after = await call('GET', '/v1/state');
    expect(after.json.services).toEqual(before.json.services);
    expect(after.json.faults).toEqual([]);
    for (let i = 0; i < 5; i++) expect(await proxied()).toBe('v1');
  });

  it('serves reads without a token', async () => {
    expect((await call('GET', '/healthz', undefined, null)).json).toEqual({ ok: true });
    const st = await call('GET', '/v1/state', undefined, null);
    expect(st.status).toBe(200);
    expect((st.json.services as Array<{ name: string }>)[0]?.name).toBe('shop');
    const m = await call('GET', '/metrics', undefined, null);
    expect(m.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(m.text).toContain('# TYPE shakedown_mesh_requests_total counter');
    const w = await call('GET', '/v1/services/shop/weights', undefined, null);
    expect(w.json).toEqual({ weights: { v1: 100, v2: 0 } });
  });
});

describe('admin API calls', () => {
  it('sets weights that apply from the next request', async () => {
    const r = await call('PUT', '/v1/services/shop/weights', { weights: { v1: 0, v2: 100 } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ weights: { v1: 0, v2: 100 } });
    expect(await proxied()).toBe('v2');
    await call('PUT', '/v1/services/shop/weights', { weights: { v1: 100, v2: 0 } });
    expect(await proxied()).toBe('v1');
  });

  it('registers, drains and removes endpoints at run time', async () => {
    const extra = await startTestServer((_req, res) => res.end('v3'));
    try {
      const add = await call('POST', '/v1/services/shop/versions/v3/endpoints', {
        address: `127.0.0.1:${extra.port}`,
      });
      expect(add.status).toBe(201);
      expect(add.json).toMatchObject({ id: `127.0.0.1:${extra.port}`, source: 'runtime', state: 'active' });
      await call('PUT', '/v1/services/shop/weights', { weights: { v1: 0, v3: 1 } });
      expect(await proxied()).toBe('v3');
      const id = encodeURIComponent(`127.0.0.1:${extra.port}`);
      const drain = await call('POST', `/v1/services/shop/versions/v3/endpoints/${id}/drain`, {
        timeout: '1s',
      });
      expect(drain.json).toEqual({ inFlight: 0 });
      const st = await call('GET', '/v1/state');
      const v3 = (
        st.json.services as Array<{
          versions: Array<{ version: string; endpoints: Array<{ state: string }> }>;
        }>
      )[0]?.versions.find((v) => v.version === 'v3');
      expect(v3?.endpoints[0]?.state).toBe('draining');
      const del = await call('DELETE', `/v1/services/shop/versions/v3/endpoints/${id}?drainTimeout=1s`);
      expect(del.json).toEqual({ inFlightAtRemoval: 0 });
      expect((await proxied()).length).toBeGreaterThan(0);
    } finally {
      await call('PUT', '/v1/services/shop/weights', { weights: { v1: 100, v3: 0 } });
      await extra.close();
    }
  });

  it('adds faults with a ttl, lists and removes them', async () => {
    const add = await call('POST', '/v1/faults', { type: 'abort', status: 502, ttl: '30s', id: 'f1' });
    expect(add.status).toBe(201);
    expect(add.json).toMatchObject({ id: 'f1', type: 'abort', status: 502, source: 'runtime' });
    expect(await (await request(`${proxy}/`)).statusCode).toBe(502);
    expect((await call('GET', '/v1/faults')).json.faults).toHaveLength(1);
    expect((await call('POST', '/v1/faults', { type: 'abort', id: 'f1' })).status).toBe(409);
    expect((await call('DELETE', '/v1/faults/f1')).json).toEqual({ removed: 'f1' });
    expect((await call('DELETE', '/v1/faults/f1')).status).toBe(404);
    expect(await proxied()).toBe('v1');
  });

  it('resets to the spec', async () => {
    await call('PUT', '/v1/services/shop/weights', { weights: { v1: 0, v2: 1 } });
    await call('POST', '/v1/faults', { type: 'delay', delay: '1ms' });
    expect((await call('POST', '/v1/reset')).json).toEqual({ ok: true });
    expect((await call('GET', '/v1/services/shop/weights')).json).toEqual({
      weights: expect.objectContaining({ v1: 100, v2: 0 }),
    });
    expect((await call('GET', '/v1/faults')).json.faults).toEqual([]);
  });

  it('gives windows and events', async () => {
    await proxied();
    const ev = await call('GET', '/v1/events?since=0');
    const kinds = (ev.json.events as Array<{ kind: string }>).map((e) => e.kind);
    expect(kinds).toContain('weights.changed');
    expect(kinds).toContain('fault.injected');
    const w = await call('GET', `/v1/windows?since=${Date.now() - 60_000}`);
    expect(Array.isArray(w.json.windows)).toBe(true);
  });

  it('answers bad calls with a status and an error code', async () => {
    expect((await call('GET', '/v1/nothing')).status).toBe(404);
    const m = await call('PATCH', '/v1/faults');
    expect(m.status).toBe(405);
    expect(m.headers.allow).toBe('GET, POST, DELETE');
    expect((await call('PUT', '/v1/services/shop/weights', '{not json')).json.error).toMatchObject({
      code: 'E_BAD_JSON',
    });
    expect((await call('PUT', '/v1/services/shop/weights', { weights: { v1: -5 } })).status).toBe(400);
    expect((await call('PUT', '/v1/services/shop/weights', { v1: 5 })).status).toBe(400);
    expect((await call('PUT', '/v1/services/nope/weights', { weights: { v1: 1 } })).status).toBe(404);
    expect(
      (await call('POST', '/v1/services/shop/versions/v1/endpoints', { address: 'nowhere' })).status,
    ).toBe(400);
    expect(
      (await call('POST', '/v1/services/shop/versions/v1/endpoints', { address: '10.0.0.1:80' })).json.error,
    ).toMatchObject({
      code: 'E_MESH_REMOTE_ENDPOINT',
    });
    expect((await call('POST', '/v1/faults', { type: 'delay', delay: 'soon' })).status).toBe(400);
  });
});

describe('admin API description', () => {
  it('the OpenAPI document under docs/ describes exactly the routes the server has', () => {
    const doc = parseYaml(
      readFileSync(new URL('../../../docs/mesh-admin.openapi.yaml', import.meta.url), 'utf8'),
    ) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'put', 'post', 'delete', 'patch'].includes(m))
          .map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const routes = new AdminRouter(meshAdminRoutes(mesh, () => mesh.metrics()))
      .list()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(documented).toEqual(routes);
  });
});

describe('token file lifetime', () => {
  it('is removed when the mesh stops', async () => {
    const m = new Mesh(
      meshConfigFromYaml(`
  services:
    s: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${v1.port}"] } } }
`),
    );
    const file = (await m.start()).admin?.tokenFile as string;
    expect(existsSync(file)).toBe(true);
    await m.stop({ drainTimeoutMs: 50 });
    expect(existsSync(file)).toBe(false);
  });
});

describe('admin address', () => {
  it('is loopback only unless the mesh allows remote', () => {
    const yaml = (extra: string) => `
${extra}
  admin: { host: 0.0.0.0 }
  services:
    s: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${v1.port}"] } } }
`;
    expect(() => new Mesh(meshConfigFromYaml(yaml('')))).toThrow(/loopback only/);
    expect(() => new Mesh(meshConfigFromYaml(yaml('  allowRemote: true')))).not.toThrow();
  });
});
