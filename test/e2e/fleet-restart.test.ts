import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../../src/fleet/fleet.js';
import { meshPortFromControl } from '../../src/fleet/mesh-control-port.js';
import { Mesh } from '../../src/mesh/mesh.js';
import { CollectingSink, fixtureDefinition } from '../helpers/fleet.js';
import { meshConfigFromYaml } from '../helpers/mesh.js';

// `restart` under constant load: replicas are replaced one at a time (start new → ready →
// joins → drain old → stop old). Traffic goes through the real mesh with retries off, so a
// request sent to a stopping replica would fail here: only the drain keeps it whole.

let fleet: Fleet | undefined;
let mesh: Mesh | undefined;
afterEach(async () => {
  await fleet?.stop();
  await mesh?.stop({ drainTimeoutMs: 100 });
  fleet = undefined;
  mesh = undefined;
});

/** A mesh with one service `api` (no endpoints yet: the fleet adds them), no retries. */
async function startMesh(): Promise<{ url: string; mesh: Mesh }> {
  const m = new Mesh(
    meshConfigFromYaml(`
  admin: { enabled: false }
  routes: [{ name: api, match: { prefix: / }, service: api, retries: false }]
  services:
    api: { versions: { v1: { weight: 100, endpoints: [] } } }
`),
  );
  const a = await m.start();
  return { url: a.listeners[0]?.url as string, mesh: m };
}

/** The replica ids the mesh routes new requests to. */
async function live(m: Mesh): Promise<string[]> {
  const state = await m.state();
  const api = state.services.find((s) => s.name === 'api');
  const active = (api?.versions ?? []).flatMap((v) => v.endpoints.filter((e) => e.state === 'active'));
  const ids = fleet?.service('api').versions.flatMap((v) => v.replicas) ?? [];
  return active
    .map((e) => ids.find((r) => r.url.endsWith(`:${e.address.split(':').pop()}`))?.id ?? e.address)
    .sort();
}

describe('rolling restart', () => {
  it('replaces every replica under constant load with no failed request', async () => {
    const started = await startMesh();
    mesh = started.mesh;
    const url = started.url;
    const sink = new CollectingSink();
    // Slow responses, so requests are in flight while old replicas are drained.
    const def = fixtureDefinition('api', { replicas: 3, env: { RESPONSE_DELAY_MS: '20' } });
    fleet = new Fleet({
      services: [def],
      stateDir: await mkdtemp(join(tmpdir(), 'shakedown-roll-')),
      sink,
      mesh: meshPortFromControl(mesh),
    });
    await fleet.start();
    const before = fleet.service('api').versions[0]?.replicas.map((r) => r.id);
    expect(before).toEqual(['api-v1-0', 'api-v1-1', 'api-v1-2']);

    const client = new Agent({ connections: 32 });
    let ok = 0;
    let failed = 0;
    const seen = new Set<string>();
    let running = true;
    const loops = Array.from({ length: 16 }, async () => {
      // Bounded: stops when the restart is done, and at most 20 s.
      const until = Date.now() + 20_000;
      while (running && Date.now() < until) {
        try {
          const res = await request(`${url}/`, { dispatcher: client });
          const body = (await res.body.json()) as { id: string };
          if (res.statusCode === 200) {
            ok++;
            seen.add(body.id);
          } else failed++;
        } catch {
          failed++;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const result = await fleet.restart('api');
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(loops);
    await client.close();

    expect(failed).toBe(0);
    expect(ok).toBeGreaterThan(200);
    expect(result.replaced).toEqual([
      { old: 'api-v1-0', new: 'api-v1-3' },
      { old: 'api-v1-1', new: 'api-v1-4' },
      { old: 'api-v1-2', new: 'api-v1-5' },
    ]);
    expect(fleet.service('api').versions[0]?.replicas.map((r) => [r.id, r.state])).toEqual([
      ['api-v1-3', 'ready'],
      ['api-v1-4', 'ready'],
      ['api-v1-5', 'ready'],
    ]);
    expect(await live(mesh)).toEqual(['api-v1-3', 'api-v1-4', 'api-v1-5']);
    // Old and new replicas both answered during the test.
    expect(seen.has('api-v1-0') && seen.has('api-v1-5')).toBe(true);
    // One at a time: each new replica was ready before its old one started draining.
    const order = sink.events
      .filter(
        (e) => e.kind === 'replica.ready' || e.kind === 'replica.draining' || e.kind === 'replica.stopped',
      )
      .map((e) => `${e.kind.slice(8)}:${e.subject}`);
    expect(order.slice(3)).toEqual([
      'ready:api-v1-3',
      'draining:api-v1-0',
      'stopped:api-v1-0',
      'ready:api-v1-4',
      'draining:api-v1-1',
      'stopped:api-v1-1',
      'ready:api-v1-5',
      'draining:api-v1-2',
      'stopped:api-v1-2',
    ]);
    const drained = sink.of('replica.drained');
    expect(drained.every((e) => e.data.drained === true)).toBe(true);
    expect(sink.of('service.restarted')[0]?.data).toMatchObject({ service: 'api' });
  });

  it('keeps the old replicas when a new one does not get ready', async () => {
    mesh = (await startMesh()).mesh;
    const def = fixtureDefinition('api', { replicas: 2 });
    fleet = new Fleet({
      services: [def],
      stateDir: await mkdtemp(join(tmpdir(), 'shakedown-roll-')),
      mesh: meshPortFromControl(mesh),
    });
    await fleet.start();
    // From now on new replicas crash at start.
    (def.versions[0] as { env: Record<string, string> }).env.CRASH = '1';
    await expect(fleet.restart('api', { readyTimeoutMs: 5000 })).rejects.toThrow(
      /api-v1-2 is not ready: crash-loop/,
    );
    expect(fleet.service('api').versions[0]?.replicas.map((r) => [r.id, r.state])).toEqual([
      ['api-v1-0', 'ready'],
      ['api-v1-1', 'ready'],
    ]);
    expect(await live(mesh)).toEqual(['api-v1-0', 'api-v1-1']);
  });
});
