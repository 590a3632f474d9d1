import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshAdminClient } from '../../src/mesh/admin/client.js';
import type { MeshControl } from '../../src/mesh/control.js';
import { Mesh } from '../../src/mesh/mesh.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { meshConfigFromYaml } from '../helpers/mesh.js';

/**
 * The MeshControl contract: the in-process Mesh and the HTTP admin client must behave the
 * same, so fleet, chaos and rollout code can use either. Each implementation runs this
 * suite against its own mesh and real upstreams.
 */
interface Subject {
  control: MeshControl;
  proxyUrl: string;
  close(): Promise<void>;
}

function contract(name: string, make: (yaml: string) => Promise<Subject>) {
  describe(`MeshControl contract: ${name}`, () => {
    let v1: TestServer;
    let v2: TestServer;
    let s: Subject;
    const hit = async () => {
      const r = await request(`${s.proxyUrl}/`);
      return { status: r.statusCode, text: await r.body.text() };
    };

    beforeAll(async () => {
      v1 = await startTestServer((_req, res) => res.end('v1'));
      v2 = await startTestServer((_req, res) => res.end('v2'));
      s = await make(`
  services:
    shop:
      versions:
        v1: { weight: 3, endpoints: ["127.0.0.1:${v1.port}"] }
        v2: { weight: 1, endpoints: ["127.0.0.1:${v2.port}"] }
`);
    });
    afterAll(async () => {
      await s.close();
      await v1.close();
      await v2.close();
    });

    it('reads and sets weights (TrafficRouter)', async () => {
      expect(await s.control.weights('shop')).toEqual({ v1: 3, v2: 1 });
      await s.control.setWeights('shop', { v2: 0 });
      expect(await s.control.weights('shop')).toEqual({ v1: 3, v2: 0 });
      expect((await hit()).text).toBe('v1');
      await expect(s.control.setWeights('shop', { v9: 1 })).rejects.toMatchObject({
        code: 'E_MESH_UNKNOWN_VERSION',
      });
      await expect(s.control.weights('nope')).rejects.toMatchObject({ code: 'E_MESH_UNKNOWN_SERVICE' });
    });

    it('adds, drains and removes endpoints', async () => {
      const extra = await startTestServer((_req, res) => res.end('v3'));
      try {
        const ep = await s.control.addEndpoint('shop', 'v3', `127.0.0.1:${extra.port}`);
        expect(ep).toMatchObject({ id: `127.0.0.1:${extra.port}`, state: 'active', source: 'runtime' });
        await s.control.setWeights('shop', { v1: 0, v2: 0, v3: 1 });
        expect((await hit()).text).toBe('v3');
        expect(await s.control.drainEndpoint('shop', 'v3', ep.id, { timeoutMs: 1000 })).toEqual({
          inFlight: 0,
        });
        expect(await s.control.removeEndpoint('shop', 'v3', ep.id, { drainTimeoutMs: 1000 })).toEqual({
          inFlightAtRemoval: 0,
        });
        const st = await s.control.state();
        expect(st.services[0]?.versions.find((v) => v.version === 'v3')?.endpoints).toEqual([]);
        await expect(s.control.removeEndpoint('shop', 'v3', ep.id)).rejects.toMatchObject({
          code: 'E_MESH_UNKNOWN_ENDPOINT',
        });
        await expect(s.control.addEndpoint('shop', 'v1', 'not-an-address')).rejects.toMatchObject({
          code: 'E_MESH_ADDRESS',
        });
      } finally {
        await s.control.setWeights('shop', { v1: 3, v2: 1, v3: 0 });
        await extra.close();
      }
    });

    it('adds, lists and removes faults', async () => {
      const f = await s.control.addFault({ type: 'abort', status: 418, ttl: '1m', id: 'c1' });
      expect(f).toMatchObject({ id: 'c1', type: 'abort', status: 418, source: 'runtime', hits: 0 });
      expect((await hit()).status).toBe(418);
      expect((await s.control.faults()).map((x) => x.id)).toEqual(['c1']);
      expect(await s.control.removeFault('c1')).toBe(true);
      expect(await s.control.removeFault('c1')).toBe(false);
      await s.control.addFault({ type: 'delay', delay: 1 });
      await s.control.addFault({ type: 'delay', delay: 1 });
      expect(await s.control.clearFaults()).toBe(2);
      await expect(s.control.addFault({ type: 'nope' } as never)).rejects.toMatchObject({
        code: 'E_MESH_INVALID',
      });
    });

    it('renews a fault lease; a lapsed lease cannot be renewed', async () => {
      const f = await s.control.addFault({ type: 'abort', status: 418, ttl: 150, id: 'lease1' });
      const renewed = await s.control.renewFault('lease1', 60_000);
      expect(Date.parse(renewed.expiresAt as string)).toBeGreaterThan(
        Date.parse(f.expiresAt as string) + 50_000,
      );
      expect((await hit()).status).toBe(418);
      await s.control.renewFault('lease1', 100);
      await new Promise((r) => setTimeout(r, 250));
      expect((await hit()).status).toBe(200);
      await expect(s.control.renewFault('lease1', 1000)).rejects.toMatchObject({
        code: 'E_MESH_UNKNOWN_FAULT',
      });
    });

    it('sets header routes and mirroring at run time (delivery), and reset restores the spec', async () => {
      const get = async (headers: Record<string, string> = {}) =>
        (await request(`${s.proxyUrl}/`, { headers })).body.text();
      await s.control.setWeights('shop', { v1: 1, v2: 0 });
      try {
        await s.control.setRouting('shop', {
          overrides: [{ header: 'X-Canary', equals: '1', version: 'v2' }],
        });
        expect(await get({ 'x-canary': '1' })).toBe('v2');
        expect(await get()).toBe('v1');
        await s.control.setRouting('shop', { mirror: { version: 'v2', percentage: '100%' } });
        let st = (await s.control.state()).services[0];
        expect(st?.overrides).toEqual([{ header: 'x-canary', equals: '1', version: 'v2' }]);
        expect(st?.mirror).toEqual({ version: 'v2', fraction: 1 });
        const before = st?.versions.find((v) => v.version === 'v2')?.mirrored ?? 0;
        expect(await get()).toBe('v1');
        for (let i = 0; i < 50; i++) {
          st = (await s.control.state()).services[0];
          if ((st?.versions.find((v) => v.version === 'v2')?.mirrored ?? 0) > before) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(st?.versions.find((v) => v.version === 'v2')?.mirrored).toBeGreaterThan(before);
        await s.control.setRouting('shop', { overrides: [], mirror: null });
        st = (await s.control.state()).services[0];
        expect(st?.overrides).toEqual([]);
        expect(st?.mirror).toBeNull();
        expect(await get({ 'x-canary': '1' })).toBe('v1');
        await expect(
          s.control.setRouting('shop', { overrides: [{ header: 'x', equals: '1', version: 'v9' }] }),
        ).rejects.toMatchObject({ code: 'E_MESH_UNKNOWN_VERSION' });
        await expect(s.control.setRouting('nope', { overrides: [] })).rejects.toMatchObject({
          code: 'E_MESH_UNKNOWN_SERVICE',
        });
        await s.control.setRouting('shop', {
          overrides: [{ header: 'x-canary', present: true, version: 'v2' }],
        });
        await s.control.reset();
        expect((await s.control.state()).services[0]?.overrides).toEqual([]);
        expect((await s.control.events(0)).map((e) => e.kind)).toContain('routing.changed');
      } finally {
        await s.control.setWeights('shop', { v1: 3, v2: 1 });
      }
    });

    it('resets to the spec and reports state, windows and events', async () => {
      await s.control.setWeights('shop', { v1: 0, v2: 1 });
      await s.control.addFault({ type: 'delay', delay: 1 });
      await s.control.reset();
      expect(await s.control.weights('shop')).toMatchObject({ v1: 3, v2: 1 });
      expect(await s.control.faults()).toEqual([]);
      const st = await s.control.state();
      expect(st.listeners[0]?.url).toBe(s.proxyUrl);
      expect(st.routes[0]).toMatchObject({ name: 'default', service: 'shop' });
      const kinds = (await s.control.events(0)).map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['weights.changed', 'fault.injected', 'mesh.reset']));
      expect(Array.isArray(await s.control.windows(0))).toBe(true);
    });
  });
}

contract('in-process Mesh', async (yaml) => {
  const mesh = new Mesh(meshConfigFromYaml(yaml, { noAdmin: true }));
  const a = await mesh.start();
  return {
    control: mesh,
    proxyUrl: a.listeners[0]?.url as string,
    close: () => mesh.stop({ drainTimeoutMs: 100 }),
  };
});

contract('HTTP MeshAdminClient', async (yaml) => {
  const mesh = new Mesh(meshConfigFromYaml(yaml));
  const a = await mesh.start();
  const client = MeshAdminClient.fromTokenFile(a.admin?.url as string, a.admin?.tokenFile as string);
  return {
    control: client,
    proxyUrl: a.listeners[0]?.url as string,
    close: async () => {
      await client.close();
      await mesh.stop({ drainTimeoutMs: 100 });
    },
  };
});
