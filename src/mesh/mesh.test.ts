import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.js';
import { meshConfigFromYaml } from '../../test/helpers/mesh.js';
import type { RunEvent } from '../core/event.js';
import type { Window } from '../core/window.js';
import { Mesh } from './mesh.js';

// The mesh in process against real upstream servers on loopback (small, fast exchanges).
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const named =
  (name: string): Handler =>
  (req, res) => {
    if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ name, headers: req.headers, bodyBytes: Buffer.concat(chunks).length }));
      });
      return;
    }
    req.resume();
    res.setHeader('x-served-by', name);
    res.end(name);
  };

async function upstream(handler: Handler): Promise<TestServer> {
  const s = await startTestServer(handler);
  cleanup.push(() => s.close());
  return s;
}

async function startMesh(yaml: string): Promise<{ mesh: Mesh; url: string }> {
  const mesh = new Mesh(meshConfigFromYaml(yaml, { noAdmin: true }));
  const a = await mesh.start();
  cleanup.push(() => mesh.stop({ drainTimeoutMs: 200 }));
  return { mesh, url: a.listeners[0]?.url as string };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await request(url, { headers });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text };
}

function twoVersions(a: TestServer, b: TestServer, extra = '') {
  return `
  services:
    shop:
      versions:
        v1: { weight: 90, endpoints: ["127.0.0.1:${a.port}"] }
        v2: { weight: 10, endpoints: ["127.0.0.1:${b.port}"] }
      overrides:
        - { header: x-canary, equals: "1", version: v2 }
        - { cookie: beta, equals: "yes", version: v2 }
${extra}`;
}

describe('routing and versions', () => {
  it('passes end-to-end headers, sets forwarding headers and a request id', async () => {
    const a = await upstream(named('a'));
    const { url } = await startMesh(`
  services:
    shop:
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${a.port}"] } }
`);
    const r = await get(`${url}/echo`, {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-forwarded-for': '10.1.1.1',
      'x-request-id': 'req-1',
    });
    const body = JSON.parse(r.text) as { headers: Record<string, string> };
    expect(body.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(body.headers['x-forwarded-for']).toBe('10.1.1.1, 127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers['x-request-id']).toBe('req-1');
    const generated = JSON.parse((await get(`${url}/echo`)).text) as { headers: Record<string, string> };
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('splits 90/10 exactly over every ten requests; overrides by header and cookie reach v2', async () => {
    const a = await upstream(named('v1'));
    const b = await upstream(named('v2'));
    const { url } = await startMesh(twoVersions(a, b));
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) seen.push((await get(`${url}/`)).text);
    expect(seen.filter((s) => s === 'v2')).toHaveLength(10);
    for (let i = 0; i < 20; i++) expect((await get(`${url}/`, { 'x-canary': '1' })).text).toBe('v2');
    for (let i = 0; i < 5; i++) expect((await get(`${url}/`, { cookie: 'a=1; beta=yes' })).text).toBe('v2');
    expect((await get(`${url}/`, { 'x-canary': '0' })).text).toBeDefined();
  });

  it('applies new weights from the next request', async () => {
    const a = await upstream(named('v1'));
    const b = await upstream(named('v2'));
    const { mesh, url } = await startMesh(twoVersions(a, b));
    await mesh.setWeights('shop', { v1: 0, v2: 1 });
    for (let i = 0; i < 10; i++) expect((await get(`${url}/`)).text).toBe('v2');
    await mesh.setWeights('shop', { v1: 1, v2: 0 });
    for (let i = 0; i < 10; i++) expect((await get(`${url}/`)).text).toBe('v1');
    await expect(mesh.setWeights('shop', { v3: 1 })).rejects.toThrow(/no version "v3"/);
    await expect(mesh.setWeights('shop', { v1: -1 })).rejects.toThrow(/≥ 0/);
    expect(await mesh.weights('shop')).toEqual({ v1: 1, v2: 0 });
  });

  it('routes by path prefix, exact path, regex, method and header', async () => {
    const a = await upstream(named('a'));
    const b = await upstream(named('b'));
    const { url } = await startMesh(`
  routes:
    - { name: exact, match: { path: /health }, service: sb }
    - { name: regex, match: { regex: "/items/[0-9]+" }, service: sb }
    - { name: post, match: { prefix: /api, methods: [POST] }, service: sb }
    - { name: tenant, match: { prefix: /api, headers: [{ name: x-tenant, equals: beta }] }, service: sb }
    - { name: api, match: { prefix: /api }, service: sa }
  services:
    sa: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${a.port}"] } } }
    sb: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${b.port}"] } } }
`);
    expect((await get(`${url}/health?x=1`)).text).toBe('b');
    expect((await get(`${url}/healthz`)).status).toBe(404);
    expect((await get(`${url}/items/42`)).text).toBe('b');
    expect((await get(`${url}/items/x`)).status).toBe(404);
    expect((await get(`${url}/api/x`)).text).toBe('a');
    expect((await get(`${url}/api/x`, { 'x-tenant': 'beta' })).text).toBe('b');
    const post = await request(`${url}/api/x`, { method: 'POST', body: 'hi' });
    expect(await post.body.text()).toBe('b');
  });

  it('mirrors requests to a version and drops the copies’ responses', async () => {
    const a = await upstream(named('v1'));
    const mirrored: string[] = [];
    const b = await upstream((req, res) => {
      mirrored.push(String(req.headers['x-shakedown-mirror']));
      res.statusCode = 500;
      res.end('mirror');
    });
    const { mesh, url } = await startMesh(`
  services:
    shop:
      versions:
        v1: { weight: 1, endpoints: ["127.0.0.1:${a.port}"] }
        v2: { weight: 0, endpoints: ["127.0.0.1:${b.port}"] }
      mirror: { version: v2, percentage: 100% }
`);
    for (let i = 0; i < 5; i++) expect(await get(`${url}/`)).toMatchObject({ status: 200, text: 'v1' });
    await new Promise((r) => setTimeout(r, 100));
    expect(mirrored).toEqual(['1', '1', '1', '1', '1']);
    const st = await mesh.state();
    expect(st.services[0]?.versions.find((v) => v.version === 'v2')?.mirrored).toBe(5);
  });
});

describe('bodies and headers', () => {
  it('streams request and response bodies both ways', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const a = await upstream((req, res) => {
      if (req.url === '/big') {
        res.setHeader('content-length', big.length);
        res.end(big);
        return;
      }
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
      });
      req.on('end', () => res.end(String(n)));
    });
    const { url } = await startMesh(`
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${a.port}"] } } }
`);
    const up = await request(`${url}/upload`, { method: 'POST', body: big });
    expect(await up.body.text()).toBe(String(big.length));
    async function* chunks() {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(1000, i);
    }
    const chunked = await request(`${url}/upload`, { method: 'PUT', body: Readable.from(chunks()) });
    expect(await chunked.body.text()).toBe('10000');
    const down = await request(`${url}/big`);
    const got = Buffer.from(await down.body.arrayBuffer());
    expect(got.equals(big)).toBe(true);
  });

  it('retries a streamed body after a connect failure, when no byte of it was sent', async () => {
    const live = await upstream((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
      });
      req.on('end', () => res.end(`got ${n}`));
    });
    const { url } = await startMesh(`
  routes: [{ name: r, service: shop, retries: { attempts: 1, on: [connect-failure] } }]
  services:
    shop:
      outlierDetection: false
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:1", "127.0.0.1:${live.port}"] } }
`);
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield Buffer.alloc(1000, i);
    }
    for (let i = 0; i < 2; i++) {
      const r = await request(`${url}/up`, { method: 'PUT', body: Readable.from(chunks()) });
      expect(r.statusCode).toBe(200);
      expect(await r.body.text()).toBe('got 5000');
    }
  });

  it('drops hop-by-hop response headers and keeps repeated ones', async () => {
    const a = await upstream((_req, res) => {
      res.writeHead(200, [
        'Connection',
        'keep-alive, X-Hop',
        'X-Hop',
        'secret',
        'Keep-Alive',
        'timeout=99',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
      ]);
      res.end('ok');
    });
    const { url } = await startMesh(`
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${a.port}"] } } }
`);
    const r = await get(`${url}/`);
    expect(r.headers['x-hop']).toBeUndefined();
    // Node's server writes its own Keep-Alive for the client connection; the upstream's is dropped.
    expect(r.headers['keep-alive']).not.toBe('timeout=99');
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });
});

describe('resilience', () => {
  it('retries a 503 on another endpoint', async () => {
    const bad = await upstream((_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const good = await upstream(named('good'));
    const { mesh, url } = await startMesh(`
  routes:
    - name: api
      service: shop
      retries: { attempts: 1, on: [gateway-error] }
  services:
    shop:
      loadBalancer: round-robin
      outlierDetection: false
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${bad.port}", "127.0.0.1:${good.port}"] } }
`);
    for (let i = 0; i < 6; i++) expect(await get(`${url}/`)).toMatchObject({ status: 200, text: 'good' });
    // Round robin sends each first attempt to the bad endpoint (the retry moves the cursor on).
    expect(bad.requests).toBe(6);
    expect(good.requests).toBe(6);
    const m = (await mesh.metrics()).text;
    expect(m).toMatch(/shakedown_mesh_retries_total\{route="api",service="shop",version="v1"\} 6/);
  });

  it('retries after a per-try timeout and answers 504 at the overall timeout', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(() => res.end('slow'), 400);
    });
    const fast = await upstream(named('fast'));
    const { url } = await startMesh(`
  routes:
    - name: retrying
      match: { prefix: /r }
      service: shop
      retries: { attempts: 1, on: [timeout], perTryTimeout: 100ms }
    - name: bounded
      match: { prefix: /b }
      service: slowonly
      timeout: 150ms
      retries: false
  services:
    shop:
      outlierDetection: false
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${slow.port}", "127.0.0.1:${fast.port}"] } }
    slowonly:
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${slow.port}"] } }
`);
    for (let i = 0; i < 4; i++) expect((await get(`${url}/r`)).text).toBe('fast');
    const t0 = performance.now();
    const r = await get(`${url}/b`);
    expect(r.status).toBe(504);
    expect(r.headers['x-shakedown-reason']).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(380);
  });

  it('circuit breaking answers a fast 503 saying which limit', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(() => res.end('slow'), 300);
    });
    const { mesh, url } = await startMesh(`
  services:
    shop:
      circuitBreaker: { maxRequests: 1 }
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${slow.port}"] } }
`);
    const first = get(`${url}/`);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const second = await get(`${url}/`);
    expect(second.status).toBe(503);
    expect(second.headers['x-shakedown-overloaded']).toBe('max-requests');
    expect(second.headers['x-shakedown-reason']).toBe('overflow');
    expect(performance.now() - t0).toBeLessThan(200);
    expect((await first).status).toBe(200);
    expect((await mesh.metrics()).text).toMatch(
      /shakedown_mesh_circuit_breaker_rejections_total\{service="shop",version="v1",reason="max-requests"\} 1/,
    );
  });

  it('ejects an endpoint after consecutive 5xx and says so on the timeline', async () => {
    const bad = await upstream((_req, res) => {
      res.statusCode = 500;
      res.end('bad');
    });
    const good = await upstream(named('good'));
    const { mesh, url } = await startMesh(`
  routes: [{ name: api, service: shop, retries: false }]
  services:
    shop:
      outlierDetection: { consecutive5xx: 2, baseEjectionTime: 10s, maxEjectionPercent: 50% }
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${bad.port}", "127.0.0.1:${good.port}"] } }
`);
    const events: RunEvent[] = [];
    mesh.subscribeEvents({ emit: (e) => events.push(e) });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(`${url}/`)).status);
    expect(statuses.filter((s) => s === 500)).toHaveLength(2);
    expect(events.map((e) => e.kind)).toContain('endpoint.ejected');
    const eps = (await mesh.state()).services[0]?.versions[0]?.endpoints ?? [];
    expect(eps.find((e) => e.address === `127.0.0.1:${bad.port}`)?.state).toBe('ejected');
  });

  it('takes an endpoint out when its health check fails, and back when it passes', async () => {
    let healthy = true;
    const flaky = await upstream((req, res) => {
      if (req.url === '/healthz') {
        res.statusCode = healthy ? 200 : 503;
        res.end();
        return;
      }
      res.end('flaky');
    });
    const good = await upstream(named('good'));
    const { mesh, url } = await startMesh(`
  services:
    shop:
      healthCheck: { path: /healthz, interval: 50ms, timeout: 100ms, healthyThreshold: 1, unhealthyThreshold: 1 }
      versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${flaky.port}", "127.0.0.1:${good.port}"] } }
`);
    const events: string[] = [];
    mesh.subscribeEvents({ emit: (e) => events.push(e.kind) });
    healthy = false;
    await waitFor(() => events.includes('endpoint.unhealthy'));
    for (let i = 0; i < 6; i++) expect((await get(`${url}/`)).text).toBe('good');
    healthy = true;
    await waitFor(() => events.includes('endpoint.healthy'));
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await get(`${url}/`)).text);
    expect(seen).toEqual(new Set(['flaky', 'good']));
  });
});

describe('drain, reconfiguration and telemetry', () => {
  it('drains: in-flight requests finish with Connection: close, new connections are refused', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(() => res.end('done'), 300);
    });
    const mesh = new Mesh(
      meshConfigFromYaml(
        `
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${slow.port}"] } } }
`,
        { noAdmin: true },
      ),
    );
    const url = (await mesh.start()).listeners[0]?.url as string;
    const agent = new Agent();
    cleanup.push(() => agent.close());
    const inFlight = request(`${url}/`, { dispatcher: agent });
    await new Promise((r) => setTimeout(r, 50));
    const stopped = mesh.stop({ drainTimeoutMs: 2000 });
    const r = await inFlight;
    expect(r.statusCode).toBe(200);
    expect(r.headers.connection).toBe('close');
    expect(await r.body.text()).toBe('done');
    await stopped;
    await expect(request(`${url}/`)).rejects.toThrow();
  });

  it('removing an endpoint lets its in-flight request finish and sends new ones elsewhere', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(() => res.end('slow'), 300);
    });
    const other = await upstream(named('other'));
    const { mesh, url } = await startMesh(`
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${slow.port}"] } } }
`);
    const inFlight = get(`${url}/`);
    await new Promise((r) => setTimeout(r, 50));
    await mesh.addEndpoint('shop', 'v1', `127.0.0.1:${other.port}`);
    const removed = mesh.removeEndpoint('shop', 'v1', `127.0.0.1:${slow.port}`, { drainTimeoutMs: 2000 });
    for (let i = 0; i < 4; i++) expect((await get(`${url}/`)).text).toBe('other');
    expect(await inFlight).toMatchObject({ status: 200, text: 'slow' });
    expect(await removed).toEqual({ inFlightAtRemoval: 0 });
  });

  it('reconfigures without dropping an in-flight request', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(() => res.end('old'), 200);
    });
    const other = await upstream(named('new'));
    const yaml = (port: number) => `
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${port}"] } } }
`;
    const mesh = new Mesh(meshConfigFromYaml(yaml(slow.port), { noAdmin: true }));
    const url = (await mesh.start()).listeners[0]?.url as string;
    cleanup.push(() => mesh.stop({ drainTimeoutMs: 100 }));
    const inFlight = get(`${url}/`);
    await new Promise((r) => setTimeout(r, 50));
    await mesh.reconfigure(meshConfigFromYaml(yaml(other.port), { noAdmin: true }));
    expect((await get(`${url}/`)).text).toBe('new');
    expect(await inFlight).toMatchObject({ status: 200, text: 'old' });
  });

  it('delivers per-second windows per route, service and version, and Prometheus metrics', async () => {
    const a = await upstream(named('v1'));
    const b = await upstream((_req, res) => {
      res.statusCode = 503;
      res.end('no');
    });
    const { mesh, url } = await startMesh(`
  routes: [{ name: api, service: shop, retries: false }]
  services:
    shop:
      outlierDetection: false
      versions:
        v1: { weight: 1, endpoints: ["127.0.0.1:${a.port}"] }
        v2: { weight: 1, endpoints: ["127.0.0.1:${b.port}"] }
`);
    const windows: Window[] = [];
    mesh.subscribeWindows({ write: (ws) => windows.push(...ws) });
    for (let i = 0; i < 10; i++) await get(`${url}/`);
    await mesh.stop({ drainTimeoutMs: 100 });
    const by = (v: string) => windows.filter((w) => w.key.version === v);
    const sum = (ws: Window[], f: (w: Window) => number) => ws.reduce((s, w) => s + f(w), 0);
    expect(sum(by('v1'), (w) => w.counters.requests)).toBe(5);
    expect(sum(by('v2'), (w) => w.counters.requests)).toBe(5);
    expect(sum(by('v2'), (w) => w.counters.failures.status5xx)).toBe(5);
    expect(by('v1')[0]?.key).toEqual({ route: 'api', service: 'shop', version: 'v1' });
    expect(by('v1')[0]?.latencyUs.totalCount).toBeGreaterThan(0);
    const m = await mesh.metrics();
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(m.text).toMatch(
      /shakedown_mesh_requests_total\{route="api",service="shop",version="v1",code_class="2xx"\} 5/,
    );
    expect(m.text).toMatch(
      /shakedown_mesh_requests_total\{route="api",service="shop",version="v2",code_class="5xx"\} 5/,
    );
    expect(m.text).toMatch(
      /shakedown_mesh_request_duration_seconds_bucket\{route="api",service="shop",version="v1",le="\+Inf"\} 5/,
    );
    expect(m.text).toMatch(/# TYPE shakedown_mesh_request_duration_seconds histogram/);
    expect(m.text).toMatch(/shakedown_mesh_weight\{service="shop",version="v2"\} 1/);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
