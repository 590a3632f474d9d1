import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import { meshConfigFromYaml } from '../../../test/helpers/mesh.js';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { createRandom } from '../../core/random.js';
import { Mesh } from '../mesh.js';
import { faultTypeRegistry } from './registry.js';
import { faultInputSchema, toFaultSpec } from './schema.js';
import { FaultTable } from './table.js';
import { emptyPlan } from './types.js';

// Fault filters through a real mesh and a real upstream, and the lease table on its own.
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(extra = ''): Promise<{ mesh: Mesh; url: string; up: TestServer }> {
  const up = await startTestServer((req, res) => {
    req.resume();
    if (req.url === '/big') {
      res.end(Buffer.alloc(30_000, 1));
      return;
    }
    res.end(`ok ${req.url}`);
  });
  cleanup.push(() => up.close());
  const mesh = new Mesh(
    meshConfigFromYaml(
      `
  routes:
    - { name: api, match: { prefix: /api }, service: shop }
    - { name: web, service: shop }
  services:
    shop:
      versions:
        v1: { weight: 1, endpoints: ["127.0.0.1:${up.port}"] }
        v2: { weight: 0, endpoints: ["127.0.0.1:${up.port}"] }
      overrides: [{ header: x-canary, equals: "1", version: v2 }]
${extra}`,
      { noAdmin: true },
    ),
  );
  const url = (await mesh.start()).listeners[0]?.url as string;
  cleanup.push(() => mesh.stop({ drainTimeoutMs: 100 }));
  return { mesh, url, up };
}

async function timed(url: string, headers: Record<string, string> = {}) {
  const t0 = performance.now();
  try {
    const r = await request(url, { headers });
    const text = await r.body.text();
    return { status: r.statusCode, headers: r.headers, text, ms: performance.now() - t0, error: undefined };
  } catch (e) {
    return {
      status: 0,
      headers: {} as Record<string, string | string[] | undefined>,
      text: '',
      ms: performance.now() - t0,
      error: e as Error,
    };
  }
}

describe('fault filters', () => {
  it('delays by the fixed delay, with jitter within its bounds', async () => {
    const { mesh, url } = await setup();
    await mesh.addFault({ type: 'delay', route: 'api', delay: '150ms', jitter: '20ms' });
    const slow = await timed(`${url}/api/x`);
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(125);
    expect((await timed(`${url}/web`)).ms).toBeLessThan(100);
  });

  it('aborts with a status, or resets the connection, per version', async () => {
    const { mesh, url, up } = await setup();
    await mesh.addFault({ type: 'abort', service: 'shop', version: 'v2', status: 418 });
    const r = await timed(`${url}/web`, { 'x-canary': '1' });
    expect(r.status).toBe(418);
    expect(r.headers['x-shakedown-reason']).toBe('fault-abort');
    expect((await timed(`${url}/web`)).status).toBe(200);
    await mesh.clearFaults();
    await mesh.addFault({ type: 'abort', reset: true, route: 'api' });
    const before = up.requests;
    const reset = await timed(`${url}/api`);
    expect(reset.error).toBeDefined();
    expect(up.requests).toBe(before);
    expect((await timed(`${url}/web`)).status).toBe(200);
  });

  it('limits response bandwidth', async () => {
    const { mesh, url } = await setup();
    await mesh.addFault({ type: 'bandwidth', rate: '60KiB' });
    const r = await timed(`${url}/big`);
    expect(r.text.length).toBe(30_000);
    // 30,000 bytes at 61,440 B/s: about 490 ms.
    expect(r.ms).toBeGreaterThanOrEqual(380);
    expect(r.ms).toBeLessThan(2000);
  });

  it('applies header-triggered faults only to requests with the header', async () => {
    const { mesh, url } = await setup();
    await mesh.addFault({ type: 'abort', status: 503, header: { name: 'x-chaos', equals: 'abort' } });
    expect((await timed(`${url}/web`, { 'x-chaos': 'abort' })).status).toBe(503);
    expect((await timed(`${url}/web`, { 'x-chaos': 'other' })).status).toBe(200);
    expect((await timed(`${url}/web`)).status).toBe(200);
  });

  it('affects about the given percentage of requests', async () => {
    const { mesh, url } = await setup();
    const f = await mesh.addFault({ type: 'abort', status: 500, percentage: '30%' });
    let aborted = 0;
    for (let i = 0; i < 300; i++) if ((await timed(`${url}/web`)).status === 500) aborted++;
    expect(aborted).toBeGreaterThan(55);
    expect(aborted).toBeLessThan(125);
    expect((await mesh.faults()).find((x) => x.id === f.id)?.hits).toBe(aborted);
    expect((await mesh.metrics()).text).toMatch(
      new RegExp(
        `shakedown_mesh_faults_injected_total\\{type="abort",route="web",service="shop",version="v1"\\} ${aborted}`,
      ),
    );
  });

  it('a fault with a 2 s TTL is gone after it, with no call to remove it', async () => {
    const { mesh, url } = await setup();
    const kinds: string[] = [];
    mesh.subscribeEvents({ emit: (e) => kinds.push(e.kind) });
    const f = await mesh.addFault({ type: 'abort', status: 503, ttl: '2s' });
    expect(f.expiresAt).not.toBeNull();
    expect((await timed(`${url}/web`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 2100));
    expect(await mesh.faults()).toEqual([]);
    expect((await timed(`${url}/web`)).status).toBe(200);
    expect(kinds).toEqual(['fault.injected', 'fault.expired']);
  });

  it('rejects bad faults with what was expected', async () => {
    const { mesh } = await setup();
    await expect(mesh.addFault({ type: 'explode' })).rejects.toThrow(/invalid fault/);
    await expect(mesh.addFault({ type: 'delay' })).rejects.toThrow(/delay/);
    await expect(mesh.addFault({ type: 'abort', status: 99 })).rejects.toThrow(/200 to 599/);
    await expect(mesh.addFault({ type: 'abort', service: 'nope' })).rejects.toThrow(/no service "nope"/);
    await expect(mesh.addFault({ type: 'abort', route: 'nope' })).rejects.toThrow(/no route "nope"/);
    await mesh.addFault({ type: 'abort', id: 'same' });
    await expect(mesh.addFault({ type: 'abort', id: 'same' })).rejects.toThrow(/already exists/);
  });

  it('gives run-time faults the default TTL, and spec faults none', async () => {
    const { mesh } = await setup(
      `
  faultTtl: 5m
  faults: [{ type: delay, delay: 1ms, id: from-spec }]
`.replace(/^/gm, ''),
    );
    const runtime = await mesh.addFault({ type: 'delay', delay: 1 });
    const all = await mesh.faults();
    expect(all.find((f) => f.id === 'from-spec')?.expiresAt).toBeNull();
    const ttlMs = Date.parse(runtime.expiresAt as string) - Date.parse(runtime.createdAt);
    expect(ttlMs).toBe(300_000);
    expect(await mesh.clearFaults()).toBe(1);
    expect((await mesh.faults()).map((f) => f.id)).toEqual(['from-spec']);
  });
});

describe('FaultTable leases', () => {
  it('never applies an expired fault, even before its timer runs', () => {
    const clock = new ManualClock(1_000_000);
    const table = new FaultTable(
      { clock, random: createRandom(1), logger: silentLogger, emit: () => {} },
      faultTypeRegistry(),
    );
    table.add(toFaultSpec(faultInputSchema.parse({ type: 'abort', ttl: '10s' })), 'runtime');
    const plan = emptyPlan();
    expect(table.plan('r', 's', 'v', [], plan)).toBe(true);
    expect(plan.abortStatus).toBe(503);
    clock.advance(10_000);
    expect(table.plan('r', 's', 'v', [], emptyPlan())).toBe(false);
    expect(table.list()).toEqual([]);
    table.dispose();
  });

  it('combines delays and keeps the first abort', () => {
    const clock = new ManualClock(0);
    const table = new FaultTable(
      { clock, random: createRandom(1), logger: silentLogger, emit: () => {} },
      faultTypeRegistry(),
    );
    for (const f of [
      { type: 'delay', delay: 10 },
      { type: 'delay', delay: 5 },
      { type: 'abort', status: 502 },
      { type: 'abort', status: 504 },
      { type: 'bandwidth', rate: 1000 },
      { type: 'bandwidth', rate: 500, service: 'other' },
    ])
      table.add(toFaultSpec(faultInputSchema.parse(f)), 'runtime');
    const plan = emptyPlan();
    table.plan('r', 's', 'v', [], plan);
    expect(plan).toEqual({ delayMs: 15, abortStatus: 502, reset: false, bytesPerSec: 1000 });
    table.dispose();
  });
});
