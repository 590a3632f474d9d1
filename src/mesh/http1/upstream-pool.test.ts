import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyError } from '../../load/http-request.js';
import type { UpstreamHandler, UpstreamRequest } from './upstream-connection.js';
import { UpstreamPool } from './upstream-pool.js';

// The mesh's upstream client against raw TCP servers that answer exactly what a test says.

interface Result {
  status: number;
  headers: string[];
  body: string;
  error: (Error & { code?: string }) | undefined;
}

function call(pool: UpstreamPool, req: Partial<UpstreamRequest> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const r: Result = { status: 0, headers: [], body: '', error: undefined };
    const handler: UpstreamHandler = {
      onConnect() {},
      onHeaders(status, headers) {
        r.status = status;
        r.headers = headers;
        return true;
      },
      onData(chunk) {
        r.body += chunk.toString('latin1');
        return true;
      },
      onComplete() {
        resolve(r);
      },
      onError(err) {
        r.error = err;
        resolve(r);
      },
    };
    pool.dispatch(
      { method: 'GET', path: '/', headers: ['host', 'x'], body: null, ...req } as UpstreamRequest,
      handler,
    );
  });
}

/** A server that gives every request's raw bytes to `answer` with its socket. */
async function rawServer(
  answer: (socket: Socket, request: string, n: number) => void,
): Promise<{ server: Server; port: number; sockets: () => number; requests: string[] }> {
  const requests: string[] = [];
  let sockets = 0;
  const server = createServer((socket) => {
    sockets++;
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      // One request per test exchange: a head, and the body its framing says.
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const cl = /content-length: (\d+)/i.exec(head);
        let total = end + 4;
        if (cl) total += Number(cl[1]);
        else if (/transfer-encoding: chunked/i.test(head)) {
          const last = buf.indexOf('0\r\n\r\n', end + 4);
          if (last < 0) return;
          total = last + 5;
        }
        if (buf.length < total) return;
        const req = buf.slice(0, total);
        buf = buf.slice(total);
        requests.push(req);
        answer(socket, req, requests.length);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  servers.push(server);
  return { server, port, sockets: () => sockets, requests };
}

const servers: Server[] = [];
const pools: UpstreamPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function pool(port: number, maxConnections = 4): UpstreamPool {
  const p = new UpstreamPool('127.0.0.1', port, {
    maxConnections,
    connectTimeoutMs: 500,
    idleTimeoutMs: 2000,
  });
  pools.push(p);
  return p;
}

const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

describe('UpstreamPool', () => {
  it('reuses one keep-alive connection for sequential requests', async () => {
    const s = await rawServer((sock) => sock.write(ok('hi', 'X-Up: 1\r\n')));
    const p = pool(s.port);
    for (let i = 0; i < 3; i++) {
      const r = await call(p);
      expect(r.status).toBe(200);
      expect(r.body).toBe('hi');
      expect(r.headers).toEqual(['content-length', '2', 'x-up', '1']);
    }
    expect(s.sockets()).toBe(1);
    expect(p.connected).toBe(1);
    expect(s.requests[0]).toBe('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  });

  it('does not send on an idle connection older than the idle timeout, even before the sweep', async () => {
    const s = await rawServer((sock) => sock.write(ok('hi')));
    const p = pool(s.port);
    expect((await call(p)).status).toBe(200);
    // The clock jumps past the 2 s idle timeout; the request is dispatched in the same
    // tick, before any sweep can run: only the check at dispatch can refuse the old one.
    const realNow = performance.now.bind(performance);
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => realNow() + 2500);
    let second: Promise<Result>;
    try {
      second = call(p);
    } finally {
      spy.mockRestore();
    }
    expect((await second).status).toBe(200);
    expect(s.sockets()).toBe(2);
  });

  it('opens at most maxConnections and queues the rest', async () => {
    // The first two are held until both arrived: the third can only go once one is answered.
    const held: Socket[] = [];
    const s = await rawServer((sock, _req, n) => {
      if (n > 2) {
        sock.write(ok('x'));
        return;
      }
      held.push(sock);
      if (held.length === 2) for (const h of held.splice(0)) h.write(ok('x'));
    });
    const p = pool(s.port, 2);
    const rs = await Promise.all([call(p), call(p), call(p)]);
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.sockets()).toBe(2);
    expect(s.requests).toHaveLength(3);
  });

  it('frames chunked, close-delimited and body-less responses', async () => {
    const s = await rawServer((sock, req) => {
      if (req.startsWith('GET /chunked')) {
        sock.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n');
        setTimeout(() => sock.write('2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n'), 20);
      } else if (req.startsWith('HEAD')) sock.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n');
      else if (req.startsWith('GET /204')) sock.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (req.startsWith('GET /304'))
        sock.write('HTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\n');
      else if (req.startsWith('GET /close')) sock.end('HTTP/1.1 200 OK\r\n\r\nuntil close');
      else sock.write('HTTP/1.1 100 Continue\r\n\r\n' + ok('after 100'));
    });
    const p = pool(s.port, 1);
    expect((await call(p, { path: '/chunked' })).body).toBe('abcde');
    expect(await call(p, { method: 'HEAD' })).toMatchObject({ status: 200, body: '' });
    expect(await call(p, { path: '/204' })).toMatchObject({ status: 204, body: '' });
    expect(await call(p, { path: '/304' })).toMatchObject({ status: 304, body: '' });
    expect(s.sockets()).toBe(1);
    expect(await call(p, { path: '/close' })).toMatchObject({ status: 200, body: 'until close' });
    expect(await call(p)).toMatchObject({ status: 200, body: 'after 100' });
    expect(s.sockets()).toBe(2);
  });

  it('sends a streamed body chunked, and a buffer with its length', async () => {
    const s = await rawServer((sock) => sock.write(ok('done')));
    const p = pool(s.port, 1);
    const stream = Readable.from([Buffer.from('hello '), Buffer.from('world')]);
    expect((await call(p, { method: 'POST', body: stream })).body).toBe('done');
    expect(s.requests[0]).toBe(
      'POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n',
    );
    await call(p, {
      method: 'POST',
      headers: ['host', 'x', 'content-length', '3'],
      body: Buffer.from('abc'),
    });
    expect(s.requests[1]).toBe('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc');
  });

  it('classifies a reset before the response and a refused connection', async () => {
    const s = await rawServer((sock) => sock.resetAndDestroy());
    const reset = await call(pool(s.port));
    expect(classifyError(reset.error)).toBe('reset');

    const closed = await rawServer(() => {});
    closed.server.close();
    servers.splice(servers.indexOf(closed.server), 1);
    const refused = await call(pool(closed.port));
    expect(classifyError(refused.error)).toBe('connect');
  });

  it('closes the connection when the upstream says so, and on extra bytes', async () => {
    const s = await rawServer((sock, _req, n) => {
      if (n === 1) sock.write(ok('a', 'connection: close\r\n'));
      else sock.write(ok('b') + 'junk');
    });
    const p = pool(s.port, 1);
    expect((await call(p)).body).toBe('a');
    expect((await call(p)).body).toBe('b');
    await new Promise((r) => setTimeout(r, 20));
    expect(s.sockets()).toBe(2);
    expect(p.connected).toBe(0);
  });

  it('refuses ambiguous or malformed responses', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 2x0 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\ncontent-length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX-Split: a\nSet-Cookie: b\r\ncontent-length: 0\r\n\r\n',
    ];
    for (const answer of answers) {
      const s = await rawServer((sock) => sock.write(answer));
      const r = await call(pool(s.port));
      expect(r.error?.code, answer).toBe('E_UPSTREAM_PROTOCOL');
      expect(classifyError(r.error)).toBe('other');
    }
  });

  it('pauses the socket while the handler says so, and resumes', async () => {
    const big = 'x'.repeat(256 * 1024);
    const s = await rawServer((sock) => sock.write(ok(big)));
    const p = pool(s.port);
    let resume: (() => void) | undefined;
    let got = 0;
    let pauses = 0;
    await new Promise<void>((done) => {
      p.dispatch(
        { method: 'GET', path: '/', headers: ['host', 'x'], body: null },
        {
          onConnect() {},
          onHeaders(_s, _h, r) {
            resume = r;
            return true;
          },
          onData(chunk) {
            got += chunk.length;
            pauses++;
            setTimeout(() => resume?.(), 1);
            return false;
          },
          onComplete: () => done(),
          onError: (e) => {
            throw e;
          },
        },
      );
    });
    expect(got).toBe(big.length);
    expect(pauses).toBeGreaterThan(1);
  });
});
