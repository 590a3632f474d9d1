import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startExampleService } from '../../src/demo/example-service.js';
import { runLoadTest } from '../../src/load/engine.js';
import { loadConfigFromFlags } from '../../src/load/from-flags.js';
import type { MeshState } from '../../src/mesh/control.js';
import { type MeshProcess, startMeshProcess } from '../helpers/mesh-process.js';

// Three replicas of the example service as real processes behind `shakedown mesh` (its own
// process); one replica is SIGKILLed in the middle of a constant-rate load. Retries and
// outlier ejection must keep at least 99.9 % of requests successful.
let replicas: RunningService[] = [];
let mesh: MeshProcess;

beforeAll(async () => {
  replicas = await Promise.all([startExampleService(), startExampleService(), startExampleService()]);
  const dir = mkdtempSync(join(tmpdir(), 'shakedown-mesh-kill-'));
  const spec = join(dir, 'shakedown.yaml');
  writeFileSync(
    spec,
    `version: 1
mesh:
  routes:
    - name: api
      service: shop
      retries: { attempts: 2, on: [connect-failure, reset, gateway-error] }
  services:
    shop:
      loadBalancer: least-request
      outlierDetection: { consecutiveConnectErrors: 3, baseEjectionTime: 30s, maxEjectionPercent: 34% }
      versions:
        v1:
          weight: 1
          endpoints: [${replicas.map((r) => `"127.0.0.1:${r.port}"`).join(', ')}]
`,
  );
  mesh = await startMeshProcess([spec]);
});
afterAll(async () => {
  await mesh?.stop();
  await Promise.all(replicas.map((r) => r.stop()));
});

describe('an endpoint killed mid-load', () => {
  it('keeps ≥ 99.9 % of requests successful with retries on', async () => {
    const victim = replicas[1] as RunningService;
    const config = loadConfigFromFlags(`${mesh.proxyUrl}/products/7`, {
      rate: '500/s',
      duration: '6s',
      vus: 50,
      maxVus: 200,
      workers: 1,
    });
    let killedAt = 0;
    const killer = setTimeout(() => {
      killedAt = Date.now();
      victim.child.kill('SIGKILL');
    }, 2_000);
    const t0 = Date.now();
    const s = (await runLoadTest(config)).summary;
    clearTimeout(killer);
    expect(killedAt - t0).toBeGreaterThan(1_500);
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(s.requests).toBeGreaterThanOrEqual(2_900);
    const successRate = (s.requests - s.errors) / s.requests;
    expect(successRate, JSON.stringify(s.errorsByClass)).toBeGreaterThanOrEqual(0.999);

    const st = (await (await request(`${mesh.adminUrl}/v1/state`)).body.json()) as MeshState;
    const eps = st.services[0]?.versions[0]?.endpoints ?? [];
    const dead = eps.find((e) => e.address === `127.0.0.1:${victim.port}`);
    // It served traffic before the kill, failed after it, and was ejected.
    expect(dead?.attempts).toBeGreaterThan(100);
    expect(dead?.connectErrors).toBeGreaterThan(0);
    expect(dead?.state).toBe('ejected');
    const metrics = await (await request(`${mesh.adminUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/shakedown_mesh_retries_total\{route="api",service="shop",version="v1"\} [1-9]/);
  });
});
