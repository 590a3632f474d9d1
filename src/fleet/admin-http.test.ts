import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ShakedownError } from '../core/errors.js';
import { bearerMatches, createFleetAdminHandler } from './admin-http.js';
import type { AdminRequest, AdminRoute } from './admin-routes.js';

// The HTTP layer of the admin API over a real loopback server, with routes that record
// their calls (the fleet behind them is tested end to end in test/e2e/fleet-admin.test.ts).

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(routes: AdminRoute[]): Promise<string> {
  const handle = createFleetAdminHandler({ routes, token: 'sekret' });
  server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end('not mine');
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createFleetAdminHandler', () => {
  it('needs the bearer token for changes, answers 401 before running anything, and leaves GET open', async () => {
    const calls: AdminRequest[] = [];
    const url = await serve([
      { method: 'GET', path: '/things', summary: '', handle: () => ({ json: { things: 1 } }) },
      {
        method: 'POST',
        path: '/things/:id/poke',
        summary: '',
        handle: (r) => {
          calls.push(r);
          return { json: { poked: r.params.id } };
        },
      },
    ]);
    expect(await (await fetch(`${url}/v1/fleet/things`)).json()).toEqual({ things: 1 });
    const denied = await fetch(`${url}/v1/fleet/things/a/poke`, { method: 'POST', body: '{}' });
    expect(denied.status).toBe(401);
    expect(calls).toHaveLength(0);
    const ok = await fetch(`${url}/v1/fleet/things/a%20b/poke`, {
      method: 'POST',
      headers: { authorization: 'Bearer sekret' },
      body: '{"n": 2}',
    });
    expect(await ok.json()).toEqual({ poked: 'a b' });
    expect(calls[0]?.body).toEqual({ n: 2 });
    expect((await fetch(`${url}/elsewhere`)).status).toBe(418);
  });

  it('maps errors to statuses with a JSON error body', async () => {
    const url = await serve([
      {
        method: 'POST',
        path: '/fail/:code',
        summary: '',
        handle: (r) => {
          throw new ShakedownError(r.params.code as string, `failed with ${r.params.code}`);
        },
      },
    ]);
    const post = (code: string) =>
      fetch(`${url}/v1/fleet/fail/${code}`, { method: 'POST', headers: { authorization: 'Bearer sekret' } });
    expect((await post('E_NOT_FOUND')).status).toBe(404);
    expect((await post('E_REPLICA_STATE')).status).toBe(409);
    expect((await post('E_REPLICA_NOT_READY')).status).toBe(503);
    const internal = await post('E_SOMETHING');
    expect(internal.status).toBe(500);
    expect(await internal.json()).toEqual({
      error: { code: 'E_SOMETHING', message: 'failed with E_SOMETHING' },
    });
  });
});

describe('bearerMatches', () => {
  it('accepts only the exact token in a Bearer header', () => {
    expect(bearerMatches('Bearer sekret', 'sekret')).toBe(true);
    expect(bearerMatches('bearer   sekret ', 'sekret')).toBe(true);
    expect(bearerMatches('Bearer sekret2', 'sekret')).toBe(false);
    expect(bearerMatches('Basic sekret', 'sekret')).toBe(false);
    expect(bearerMatches(undefined, 'sekret')).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});
