import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesFromSpec } from '../../src/fleet/definition.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { loadSpecFile } from '../../src/spec/load-spec.js';
import { repoRoot } from '../helpers/cli.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

// The shop's orders service with DATABASE_URL set: orders go to a real, throwaway
// PostgreSQL server (test/helpers/postgres.ts: initdb + pg_ctl from the machine's
// binaries; the `postgresql` Debian package is in .ci/apt-packages).

const dir = mkdtempSync(join(tmpdir(), 'shakedown-shop-pg-'));
let server: TestPostgres;
let url: string;
let fleet: Fleet;

beforeAll(async () => {
  server = await startTestPostgres();
  url = await server.createDatabase();
  const loaded = loadSpecFile(join(repoRoot, 'examples', 'shop', 'shakedown.yaml'));
  const orders = servicesFromSpec(loaded.spec.services ?? {}, loaded.dir).filter((s) => s.name === 'orders');
  fleet = new Fleet({
    services: orders,
    stateDir: join(dir, 'state'),
    env: { ...process.env, DATABASE_URL: url },
  });
  await fleet.start({ readyTimeoutMs: 20_000 });
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('shop orders on PostgreSQL', () => {
  it('stores orders in PostgreSQL when DATABASE_URL is set and reads them back', async () => {
    const base = fleet.replica('orders-v1-0').url;
    const log = fleet.replica('orders-v1-0').lastLines?.join('\n') ?? '';
    expect(log).toContain('orders: storing in postgresql (postgres://***@');
    const items = [{ productId: 4, quantity: 2, priceCents: 500 }];
    const created = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cartId: 'cart-1', items, totalCents: 1000 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const back = (await (await fetch(`${base}/orders/${id}`)).json()) as Record<string, unknown>;
    expect(back).toMatchObject({ id, cartId: 'cart-1', items, totalCents: 1000 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT cart_id, total_cents FROM orders WHERE id = $1', [id]);
    await client.end();
    expect(rows).toEqual([{ cart_id: 'cart-1', total_cents: '1000' }]);
    expect((await fetch(`${base}/orders/nope`)).status).toBe(404);
    const bad = await fetch(`${base}/orders`, { method: 'POST', body: '{"cartId": 1}' });
    expect(bad.status).toBe(400);
  });
});
