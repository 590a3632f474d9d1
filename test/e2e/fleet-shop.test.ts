import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../../src/fleet/fleet.js';
import type { MeshState } from '../../src/mesh/control.js';
import { type Shop, startShop } from '../helpers/shop.js';

// The example shop from examples/shop/shakedown.yaml on the local platform: the mesh in
// front of every service (public listener for shoppers, internal one between services),
// every replica a real process, on free ports.

let shop: Shop;
let fleet: Fleet;
let gateway: string;
let dbFile: string;

beforeAll(async () => {
  shop = await startShop();
  fleet = shop.platform.fleet as Fleet;
  gateway = shop.url;
  dbFile = join(shop.dir, 'orders.db');
});
afterAll(() => shop?.platform.stop());

async function call(method: string, path: string, options: { body?: unknown; cookie?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie) headers.cookie = options.cookie;
  const res = await fetch(`${gateway}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe('example shop', () => {
  it('runs every service with its replicas, each answering /healthz and /readyz', async () => {
    const states = fleet
      .list()
      .map((s) => [s.name, s.versions.map((v) => `${v.name}:${v.ready}/${v.desired}`)]);
    expect(states).toEqual([
      ['gateway', ['v1:1/1']],
      ['catalog', ['v1:2/2', 'v2:0/0', 'v3:0/0']],
      ['cart', ['v1:1/1']],
      ['orders', ['v1:1/1']],
    ]);
    for (const s of fleet.list())
      for (const v of s.versions)
        for (const r of v.replicas) {
          for (const path of ['/healthz', '/readyz'])
            expect((await fetch(`${r.url}${path}`)).status).toBe(200);
        }
  });

  it('browses and searches the catalog through the gateway, over both catalog replicas', async () => {
    const page = await call('GET', '/products?page=2');
    expect(page.status).toBe(200);
    expect((page.json.items as Array<{ id: number }>)[0]?.id).toBe(21);
    expect(page.headers.get('x-upstream')).toBe('catalog');
    const one = await call('GET', '/products/7');
    expect(one.json).toMatchObject({ id: 7, name: 'Product 7' });
    expect((await call('GET', '/products/9999')).status).toBe(404);
    const search = await call('GET', '/search?q=garden');
    expect((search.json.items as unknown[]).length).toBe(20);
    expect((await call('GET', '/nowhere')).status).toBe(404);
  });

  it('adds to a cart with a session cookie, checks out into SQLite and reads the order back', async () => {
    const added = await call('POST', '/cart', { body: { productId: 3, quantity: 2 } });
    expect(added.status).toBe(200);
    const cookie = (added.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^sid=[\w-]+$/);
    await call('POST', '/cart', { body: { productId: 5, quantity: 1 }, cookie });
    const cart = await call('GET', '/cart', { cookie });
    expect((cart.json.items as unknown[]).length).toBe(2);
    const price = (id: number) => 199 + (((id - 1) * 7919) % 20_000);
    expect(cart.json.totalCents).toBe(2 * price(3) + price(5));
    const order = await call('POST', '/checkout', { cookie });
    expect(order.status).toBe(201);
    const id = order.json.id as string;
    const back = await call('GET', `/orders/${id}`);
    expect(back.json).toMatchObject({ id, totalCents: 2 * price(3) + price(5) });
    expect((await call('GET', '/cart', { cookie })).json.items).toEqual([]);
    expect((await call('POST', '/checkout', { cookie })).status).toBe(409);
    expect((await call('POST', '/cart', { body: { productId: 'x' } })).status).toBe(400);
    const db = new Database(dbFile, { readonly: true });
    const row = db.prepare('SELECT total_cents FROM orders WHERE id = ?').get(id) as { total_cents: number };
    db.close();
    expect(row.total_cents).toBe(2 * price(3) + price(5));
  });

  it('catalog v2 is slower and fails a share of requests, as its env says', async () => {
    await fleet.startVersion('catalog', 'v2', 1);
    const v2 = fleet.service('catalog').versions[1]?.replicas[0]?.url as string;
    let failed = 0;
    const durations: number[] = [];
    // 400 requests: with a 2 % error rate, seeing none would happen 3 times in 10,000.
    for (let batch = 0; batch < 8; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const t0 = performance.now();
          const res = await fetch(`${v2}/products/1`);
          await res.arrayBuffer();
          durations.push(performance.now() - t0);
          expect(res.headers.get('x-catalog-version')).toBe('v2');
          if (res.status === 503) failed++;
        }),
      );
    }
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(145);
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(30);
    await fleet.stopVersion('catalog', 'v2');
  });
});

describe('one admin API for the shop', () => {
  it('serves the fleet under /v1/fleet on the mesh admin listener with the same token', async () => {
    const admin = shop.platform.adminUrl as string;
    const token = readFileSync(shop.platform.tokenFile as string, 'utf8').trim();
    const list = await fetch(`${admin}/v1/fleet/services`);
    expect(list.status).toBe(200);
    const scale = (auth?: string) =>
      fetch(`${admin}/v1/fleet/services/catalog/scale`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ replicas: 3 }),
      });
    expect((await scale()).status).toBe(401);
    expect(fleet.service('catalog').versions[0]?.desired).toBe(2);
    expect((await scale(`Bearer ${token}`)).status).toBe(200);
    // The new replica is ready and in the mesh: three catalog v1 endpoints take traffic.
    const state = (await (await fetch(`${admin}/v1/state`)).json()) as MeshState;
    const v1 = state.services.find((s) => s.name === 'catalog')?.versions.find((v) => v.version === 'v1');
    expect(v1?.endpoints.filter((e) => e.state === 'active')).toHaveLength(3);
    // The TCP and fleet planes show in the mesh's state too.
    expect(Object.keys(state.planes)).toContain('fleet');
  });
});
