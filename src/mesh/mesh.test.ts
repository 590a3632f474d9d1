import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.js';
import { meshConfigFromYaml } from '../../test/helpers/mesh.js';
import { Mesh } from './mesh.js';

// The mesh in process against real upstream servers on loopback.
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function upstream(name: string): Promise<TestServer> {
  const s = await startTestServer((req, res) => {
    if (req.url === '/echo') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, url: req.url, headers: req.headers }));
      return;
    }
    res.setHeader('x-served-by', name);
    res.end(name);
  });
  cleanup.push(() => s.close());
  return s;
}

async function startMesh(yaml: string): Promise<{ mesh: Mesh; url: string }> {
  const mesh = new Mesh(meshConfigFromYaml(yaml, { noAdmin: true }));
  const a = await mesh.start();
  cleanup.push(() => mesh.stop({ drainTimeoutMs: 100 }));
  return { mesh, url: a.listeners[0]?.url as string };
}

describe('Mesh (in process)', () => {
  it('proxies to the one service by default and passes headers through', async () => {
    const a = await upstream('a');
    const { url } = await startMesh(`
  services:
    shop:
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${a.port}"] } }
`);
    const r = await request(`${url}/echo`, {
      headers: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'x-forwarded-for': '10.1.1.1',
      },
    });
    expect(r.statusCode).toBe(200);
    const body = (await r.body.json()) as { name: string; headers: Record<string, string> };
    expect(body.name).toBe('a');
    expect(body.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(body.headers['x-forwarded-for']).toBe('10.1.1.1, 127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 404 with a reason when no route matches, and 503 when no endpoint is up', async () => {
    const { url } = await startMesh(`
  routes:
    - { name: api, match: { prefix: /api }, service: shop, retries: false }
  services:
    shop:
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:1"] } }
`);
    const r404 = await request(`${url}/other`);
    expect(r404.statusCode).toBe(404);
    expect(r404.headers['x-shakedown-reason']).toBe('no-route');
    await r404.body.dump();
    const r503 = await request(`${url}/api`);
    expect(r503.statusCode).toBe(503);
    expect(r503.headers['x-shakedown-reason']).toBe('connect-failure');
    await r503.body.dump();
  });
});
