import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, spawnCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { startMeshProcess } from '../helpers/mesh-process.js';

// `shakedown mesh` as users run it: the built CLI in its own process.
let v1: TestServer;
let v2: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'shakedown-mesh-cli-'));

function writeSpec(name: string, weights: [number, number], extra = ''): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `version: 1
mesh:
  services:
    shop:
      versions:
        v1: { weight: ${weights[0]}, endpoints: ["127.0.0.1:${v1.port}"] }
        v2: { weight: ${weights[1]}, endpoints: ["127.0.0.1:${v2.port}"] }
${extra}`,
  );
  return path;
}

beforeAll(async () => {
  v1 = await startTestServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('slow v1'), 800);
    else res.end('v1');
  });
  v2 = await startTestServer((_req, res) => res.end('v2'));
});
afterAll(async () => {
  await v1.close();
  await v2.close();
});

describe('shakedown mesh', () => {
  it('prints its listeners, admin URL and token file, and stops on SIGINT', async () => {
    const spec = writeSpec('text.yaml', [1, 0]);
    const { child, done } = spawnCli(['mesh', spec]);
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    const started = Date.now();
    while (!out.includes('Ctrl-C') && Date.now() - started < 10_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/listener http +http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/admin +http:\/\/127\.0\.0\.1:\d+/);
    const tokenFile = /token +(\S+)/.exec(out)?.[1] as string;
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(out).toMatch(/route +default +prefix \/ → shop/);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/SIGINT: draining/);
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('drains on SIGTERM: an in-flight request finishes with Connection: close, then exit 0', async () => {
    const m = await startMeshProcess([writeSpec('drain.yaml', [1, 0]), '--drain-timeout', '5s']);
    const inFlight = request(`${m.proxyUrl}/slow`);
    await new Promise((r) => setTimeout(r, 200));
    m.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(await res.body.text()).toBe('slow v1');
    const r = await m.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"event":"stopped","drainMs":\d+/);
  });

  it('reloads the spec on SIGHUP without a restart', async () => {
    const spec = writeSpec('reload.yaml', [1, 0]);
    const m = await startMeshProcess([spec]);
    try {
      expect(await (await request(`${m.proxyUrl}/`)).body.text()).toBe('v1');
      writeSpec('reload.yaml', [0, 1]);
      m.child.kill('SIGHUP');
      let text = '';
      for (let i = 0; i < 50 && text !== 'v2'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        text = await (await request(`${m.proxyUrl}/`)).body.text();
      }
      expect(text).toBe('v2');
      writeFileSync(spec, 'version: 1\nmesh: { services: 3 }\n');
      m.child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 300));
      expect(await (await request(`${m.proxyUrl}/`)).body.text()).toBe('v2');
    } finally {
      const r = await m.stop();
      expect(r.stderr).toContain('reload failed; the previous configuration stays');
    }
  });

  it('takes the admin token from SHAKEDOWN_MESH_TOKEN and refuses changes without it', async () => {
    const { child, done } = spawnCli(['mesh', writeSpec('env.yaml', [1, 0]), '--json'], {
      env: { SHAKEDOWN_MESH_TOKEN: 'sekret-token-for-test' },
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    while (!out.includes('"started"')) await new Promise((r) => setTimeout(r, 50));
    const started = JSON.parse(out.split('\n')[0] as string) as {
      admin: { url: string; tokenFile?: string };
    };
    expect(started.admin.tokenFile).toBeUndefined();
    const put = (auth?: string) =>
      request(`${started.admin.url}/v1/services/shop/weights`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify({ weights: { v1: 0, v2: 1 } }),
      });
    const denied = await put();
    expect(denied.statusCode).toBe(401);
    await denied.body.dump();
    expect(await (await request(`${started.admin.url}/v1/services/shop/weights`)).body.json()).toEqual({
      weights: { v1: 1, v2: 0 },
    });
    const ok = await put('sekret-token-for-test');
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('exits 2 with file:line:col for an invalid spec, and 4 when the port is taken', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\nmesh:\n  services:\n    shop:\n      versions: { v1: { weight: 1, endpoints: [nowhere] } }\n',
    );
    const r = await runCliProcess(['mesh', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:5:48: mesh.services.shop.versions.v1.endpoints.0: expected host:port`);

    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = writeSpec('taken.yaml', [1, 0], `  listeners: [{ name: http, port: ${port} }]\n`);
      const t = await runCliProcess(['mesh', taken]);
      expect(t.code).toBe(4);
      expect(t.stderr).toMatch(/E_MESH_LISTEN.*EADDRINUSE/);
    } finally {
      blocker.close();
    }
    const none = await runCliProcess(['mesh', join(dir, 'missing.yaml')]);
    expect(none.code).toBe(2);
  });
});
