import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadTest } from '../../src/load/engine.js';
import { loadConfigFromFlags } from '../../src/load/from-flags.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { type MeshProcess, startMeshProcess } from '../helpers/mesh-process.js';

// `shakedown mesh` in its own process, two versions weighted 90/10 on real servers, load
// from the project's own engine.
let v1: TestServer;
let v2: TestServer;
let mesh: MeshProcess;

beforeAll(async () => {
  v1 = await startTestServer((_req, res) => res.end('v1'));
  v2 = await startTestServer((_req, res) => res.end('v2'));
  const dir = mkdtempSync(join(tmpdir(), 'shakedown-mesh-split-'));
  const spec = join(dir, 'shakedown.yaml');
  writeFileSync(
    spec,
    `version: 1
mesh:
  services:
    shop:
      versions:
        v1: { weight: 90, endpoints: ["127.0.0.1:${v1.port}"] }
        v2: { weight: 10, endpoints: ["127.0.0.1:${v2.port}"] }
      overrides:
        - { header: x-canary, equals: "1", version: v2 }
`,
  );
  mesh = await startMeshProcess([spec]);
});
afterAll(async () => {
  await mesh?.stop();
  await v1?.close();
  await v2?.close();
});

async function load(iterations: number, headers: string[] = []) {
  const config = loadConfigFromFlags(`${mesh.proxyUrl}/`, {
    vus: 20,
    iterations,
    header: headers,
    workers: 1,
  });
  return (await runLoadTest(config)).summary;
}

async function setWeights(weights: Record<string, number>) {
  const r = await request(`${mesh.adminUrl}/v1/services/shop/weights`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${mesh.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ weights }),
  });
  expect(r.statusCode).toBe(200);
  await r.body.dump();
}

describe('weighted versions through shakedown mesh', () => {
  it('splits 20,000 requests 90/10 within ±1 %', async () => {
    const before = [v1.requests, v2.requests];
    const s = await load(20_000);
    expect(s.requests).toBe(20_000);
    expect(s.errors).toBe(0);
    const n1 = v1.requests - (before[0] as number);
    const n2 = v2.requests - (before[1] as number);
    expect(n1 + n2).toBe(20_000);
    const share = n2 / 20_000;
    expect(Math.abs(share - 0.1)).toBeLessThanOrEqual(0.01);
    // Smooth weighted round robin is exact, not just close.
    expect(n2).toBe(2_000);
  });

  it('x-canary: 1 always reaches v2, under load too', async () => {
    const before = [v1.requests, v2.requests];
    const s = await load(3_000, ['x-canary: 1']);
    expect(s.errors).toBe(0);
    expect(v1.requests).toBe(before[0]);
    expect(v2.requests - (before[1] as number)).toBe(3_000);
  });

  it('a weight change through the admin API applies from the next request', async () => {
    const agent = new Agent({ connections: 1 });
    const next = async () => {
      const r = await request(`${mesh.proxyUrl}/`, { dispatcher: agent });
      return r.body.text();
    };
    try {
      for (let round = 0; round < 10; round++) {
        await setWeights({ v1: 0, v2: 100 });
        expect(await next()).toBe('v2');
        expect(await next()).toBe('v2');
        await setWeights({ v1: 100, v2: 0 });
        expect(await next()).toBe('v1');
      }
      await setWeights({ v1: 90, v2: 10 });
    } finally {
      await agent.close();
    }
  });

  it('drains on SIGTERM and exits 0', async () => {
    const r = await mesh.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"event":"stopped"');
  });
});
