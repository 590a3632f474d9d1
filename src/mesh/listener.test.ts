import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.js';
import { meshConfigFromYaml } from '../../test/helpers/mesh.js';
import { Mesh } from './mesh.js';

// Bad input over raw sockets: each probe gets a 400 (or 408) and its connection closed, no
// probe reaches the upstream, and the proxy keeps serving good requests between probes.
let up: TestServer;
let mesh: Mesh;
let port: number;
let url: string;

beforeAll(async () => {
  up = await startTestServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  mesh = new Mesh(
    meshConfigFromYaml(
      `
  listeners:
    - { name: http, maxHeaderSize: 4KiB, headersTimeout: 300ms, requestTimeout: 600ms }
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${up.port}"] } } }
`,
      { noAdmin: true },
    ),
  );
  url = (await mesh.start()).listeners[0]?.url as string;
  port = Number(new URL(url).port);
});
afterAll(async () => {
  await mesh.stop({ drainTimeoutMs: 100 });
  await up.close();
});

/** Sends raw bytes (optionally in timed pieces); resolves with all the peer sent and whether it closed. */
function raw(pieces: Array<string | number>, waitMs = 1500): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closed });
    }, waitMs);
    s.on('data', (d) => {
      text += d.toString('latin1');
    });
    s.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text, closed });
    });
    s.on('error', () => {});
    (async () => {
      for (const p of pieces) {
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!s.destroyed) s.write(p);
      }
    })();
  });
}

async function stillServes(): Promise<void> {
  const r = await request(`${url}/`);
  expect(r.statusCode).toBe(200);
  expect(await r.body.text()).toBe('ok');
}

const probes: Record<string, string> = {
  'Content-Length with Transfer-Encoding (CL.TE)':
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  'Transfer-Encoding with Content-Length (TE.CL)':
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nX',
  'two different Content-Lengths':
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde',
  'obfuscated Transfer-Encoding':
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
  'Transfer-Encoding not ending in chunked':
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n',
  'malformed request line': 'GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n',
  'garbage method': '\x00\x01 / HTTP/1.1\r\nHost: x\r\n\r\n',
  'HTTP/0.9 request': 'GET /\r\n\r\n',
  'missing Host in HTTP/1.1': 'GET / HTTP/1.1\r\n\r\n',
  'bare LF line endings': 'GET / HTTP/1.1\nHost: x\n\n',
  'oversized header': `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8192)}\r\n\r\n`,
  'many headers over the limit': `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'v'.repeat(30)}\r\n`).join('')}\r\n`,
};

describe('bad input', () => {
  for (const [name, bytes] of Object.entries(probes)) {
    it(`${name}: 400, connection closed, proxy keeps serving`, async () => {
      const before = up.requests;
      const r = await raw([bytes]);
      expect(r.text.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(r.text.toLowerCase()).toContain('connection: close');
      expect(r.closed).toBe(true);
      expect(up.requests).toBe(before);
      await stillServes();
    });
  }

  it('a smuggled second request after a valid one never reaches the upstream', async () => {
    const before = up.requests;
    const r = await raw([
      'GET /first HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ]);
    expect(r.text).toContain('HTTP/1.1 200 OK');
    expect(r.closed).toBe(true);
    expect(up.requests).toBe(before + 1);
    await stillServes();
  });

  it('cuts off a client that sends its headers too slowly (408)', async () => {
    const r = await raw(
      ['GET / HTTP/1.1\r\n', 150, 'Host: x\r\n', 150, 'X-A: 1\r\n', 150, 'X-B: 2\r\n', 400, '\r\n'],
      3000,
    );
    expect(r.text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(r.closed).toBe(true);
    await stillServes();
  });

  it('cuts off a client that sends its body too slowly', async () => {
    const r = await raw(
      [
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n',
        'ab',
        300,
        'cd',
        300,
        'ef',
        300,
        'gh',
        300,
        'ij',
      ],
      3000,
    );
    expect(r.closed).toBe(true);
    expect(r.text).not.toContain('200 OK');
    await stillServes();
  });

  it('counts rejected requests in the metrics', async () => {
    const m = (await mesh.metrics()).text;
    expect(m).toMatch(/shakedown_mesh_bad_requests_total\{listener="http",reason="bad-request"\} \d+/);
    expect(m).toMatch(/shakedown_mesh_bad_requests_total\{listener="http",reason="header-overflow"\} 2/);
  });
});
