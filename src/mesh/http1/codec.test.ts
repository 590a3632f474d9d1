import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.js';
import { meshConfigFromYaml } from '../../../test/helpers/mesh.js';
import { Mesh } from '../mesh.js';

// The mesh's HTTP/1.1 codec end to end, over raw client sockets: keep-alive, pipelining,
// framing both ways, body-less responses, smuggling probes, and retries on a reset.
let up: TestServer;
let mesh: Mesh;
let port: number;
let url: string;
let upstreamConnections = 0;

beforeAll(async () => {
  up = await startTestServer((req, res, n) => {
    const path = req.url ?? '/';
    if (path === '/echo') {
      // Streams the body back as it comes (chunked: no content-length).
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.on('data', (c: Buffer) => res.write(c));
      req.on('end', () => res.end());
      return;
    }
    req.resume();
    if (path === '/204') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/304') {
      res.writeHead(304, { etag: '"x"' }).end();
      return;
    }
    if (path === '/reset-first' && n % 2 === 1) {
      req.socket.resetAndDestroy();
      return;
    }
    req.on('end', () => res.end(`ok ${req.method} ${path}`));
  });
  up.server.on('connection', () => {
    upstreamConnections++;
  });
  mesh = new Mesh(
    meshConfigFromYaml(
      `
  listeners:
    - { name: http, maxHeaderSize: 4KiB, headersTimeout: 500ms, requestTimeout: 1s }
  routes:
    - { name: main, match: { prefix: /, methods: [GET, HEAD, POST] }, service: shop }
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

/** One raw client connection: write pieces, read until `until` matches or the peer closes. */
function session(
  pieces: Array<string | number>,
  until: (text: string) => boolean,
  waitMs = 2000,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(finish, waitMs);
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (until(text)) setTimeout(finish, 30);
    });
    s.on('close', () => {
      closed = true;
      finish();
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

const count = (text: string, what: string) => text.split(what).length - 1;

async function stillServes(): Promise<void> {
  const r = await request(`${url}/`);
  expect(r.statusCode).toBe(200);
  expect(await r.body.text()).toBe('ok GET /');
}

describe('mesh HTTP/1.1 codec', () => {
  it('keeps a client connection alive across requests and reuses the upstream connection', async () => {
    const before = upstreamConnections;
    const r = await session(
      [
        'GET /a HTTP/1.1\r\nHost: x\r\n\r\n',
        50,
        'GET /b HTTP/1.1\r\nHost: x\r\n\r\n',
        50,
        'GET /c HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      (t) => t.includes('ok GET /c'),
    );
    expect(count(r.text, 'HTTP/1.1 200 OK')).toBe(3);
    expect(r.text).toContain('ok GET /a');
    expect(r.text.toLowerCase()).not.toContain('connection: close');
    // How long it may stay idle, as node:http says it, so clients close it first.
    expect(count(r.text.toLowerCase(), 'keep-alive: timeout=5\r\n')).toBe(3);
    expect(r.closed).toBe(false);
    expect(upstreamConnections - before).toBeLessThanOrEqual(1);
  });

  it('answers pipelined requests in order', async () => {
    const r = await session(
      [
        'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      (t) => t.includes('ok GET /3'),
    );
    const i1 = r.text.indexOf('ok GET /1');
    const i2 = r.text.indexOf('ok POST /2');
    const i3 = r.text.indexOf('ok GET /3');
    expect(i1).toBeGreaterThan(0);
    expect(i2).toBeGreaterThan(i1);
    expect(i3).toBeGreaterThan(i2);
  });

  it('answers many pipelined requests the mesh answers itself (404), then goes on', async () => {
    const n = 1500;
    const r = await session(
      ['DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(n), 'GET /last HTTP/1.1\r\nHost: x\r\n\r\n'],
      (t) => t.includes('ok GET /last'),
      5000,
    );
    expect(count(r.text, 'HTTP/1.1 404 Not Found')).toBe(n);
    expect(r.text).toContain('ok GET /last');
  });

  it('streams a chunked request body up and a chunked response down, piece by piece', async () => {
    const r = await session(
      [
        'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        '5\r\nhello\r\n',
        100,
        '6\r\n world\r\n',
        100,
        '0\r\n\r\n',
      ],
      (t) => t.endsWith('0\r\n\r\n'),
    );
    expect(r.text).toContain('HTTP/1.1 200 OK');
    expect(r.text.toLowerCase()).toContain('transfer-encoding: chunked');
    const body = r.text.slice(r.text.indexOf('\r\n\r\n') + 4);
    const decoded = body.replace(/(?:^|\r\n)[0-9a-f]+\r\n/g, '').replace(/\r\n$/, '');
    expect(decoded).toBe('hello world');
    expect(r.closed).toBe(false);
  });

  it('sends no body for HEAD, 204 and 304, and keeps the connection', async () => {
    const r = await session(
      [
        'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n',
        50,
        'GET /204 HTTP/1.1\r\nHost: x\r\n\r\n',
        50,
        'GET /304 HTTP/1.1\r\nHost: x\r\n\r\n',
        50,
        'GET /after HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      (t) => t.includes('ok GET /after'),
    );
    const heads = r.text.split('\r\n\r\n');
    expect(heads[0]).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(heads[1]).toMatch(/^HTTP\/1\.1 204 No Content/);
    expect(heads[2]).toMatch(/^HTTP\/1\.1 304 Not Modified/);
    expect(heads[3]).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(heads[4]).toBe('ok GET /after');
  });

  it('HTTP/1.0: closes after the response unless keep-alive was asked', async () => {
    const r = await session(['GET /x HTTP/1.0\r\n\r\n'], () => false);
    expect(r.text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(r.text.toLowerCase()).toContain('connection: close');
    expect(r.text).toContain('ok GET /x');
    expect(r.closed).toBe(true);
    const k = await session(['GET /y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], (t) =>
      t.includes('ok GET /y'),
    );
    expect(k.text.toLowerCase()).toContain('connection: keep-alive');
    expect(k.closed).toBe(false);
  });

  it('answers Expect: 100-continue before the body is sent', async () => {
    const r = await session(
      ['POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n', 200, 'hi'],
      (t) => t.includes('ok POST /e'),
    );
    expect(r.text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK')).toBe(true);
  });

  const probes: Record<string, string> = {
    'duplicate Content-Length with the same value':
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
    'obs-fold': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n',
    'bad chunk size': 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n',
    'chunk longer than its size':
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
    'bare CR': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n',
  };
  for (const [name, bytes] of Object.entries(probes)) {
    it(`${name}: 400, connection closed, proxy keeps serving`, async () => {
      const r = await session([bytes], () => false);
      expect(r.text.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(r.closed).toBe(true);
      await stillServes();
    });
  }

  it('retries a request whose upstream connection is reset before the response', async () => {
    const r = await request(`${url}/reset-first`);
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toBe('ok GET /reset-first');
  });

  it('drain closes an idle keep-alive connection at once', async () => {
    const own = new Mesh(
      meshConfigFromYaml(
        `
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:${up.port}"] } } }
`,
        { noAdmin: true },
      ),
    );
    const ownPort = Number(new URL((await own.start()).listeners[0]?.url as string).port);
    const s = connect(ownPort, '127.0.0.1');
    let text = '';
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.on('error', () => {});
    s.on('data', (d) => {
      text += d.toString('latin1');
    });
    s.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!text.includes('ok GET /idle')) await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    await own.stop({ drainTimeoutMs: 5000 });
    await closed;
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(text.toLowerCase()).not.toContain('connection: close');
  });
});
