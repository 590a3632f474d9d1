import { describe, expect, it } from 'vitest';
import { ChunkedDecoder } from './chunked-decoder.js';
import { type HeadError, type RequestHead, scanRequestHead } from './request-head.js';

function ok(head: string): RequestHead {
  const r = scanRequestHead(head);
  if ('reason' in r) throw new Error(`refused: ${r.message}`);
  return r;
}
function refused(head: string): HeadError {
  const r = scanRequestHead(head);
  if (!('reason' in r)) throw new Error(`accepted: ${head}`);
  return r;
}

describe('scanRequestHead', () => {
  it('reads the request line, fields (case kept, values trimmed) and framing', () => {
    const h = ok('POST /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Mixed-Case:  v 1 \t\r\nContent-Length: 12');
    expect(h).toMatchObject({
      method: 'POST',
      target: '/a?b=1',
      versionMinor: 1,
      headers: ['Host', 'x', 'X-Mixed-Case', 'v 1', 'Content-Length', '12'],
      contentLength: 12,
      chunked: false,
      keepAlive: true,
      expectContinue: false,
    });
    expect(ok('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked').chunked).toBe(true);
    expect(ok('GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue').expectContinue).toBe(true);
  });

  it('keep-alive: HTTP/1.1 unless close, HTTP/1.0 only when asked', () => {
    expect(ok('GET / HTTP/1.1\r\nHost: x\r\nConnection: close').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, Close').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.1\r\nHost: x\r\nConnection: closed').keepAlive).toBe(true);
    expect(ok('GET / HTTP/1.0').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.0\r\nConnection: keep-alive').keepAlive).toBe(true);
  });

  it('refuses smuggling vectors and malformed input', () => {
    const cases: Record<string, string> = {
      'CL + TE': 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked',
      'duplicate CL, same value': 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3',
      'CL list': 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3',
      'signed CL': 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3',
      'TE not ending in chunked': 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip',
      'chunked twice':
        'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked',
      'space before colon': 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked',
      'obs-fold': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2',
      'bare CR in value': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r2',
      'bare LF in value': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\nX-B: 2',
      'NUL in value': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\x002',
      'bad name': 'GET / HTTP/1.1\r\nHost: x\r\nX(A): 1',
      'empty name': 'GET / HTTP/1.1\r\nHost: x\r\n: 1',
      'no colon': 'GET / HTTP/1.1\r\nHost: x\r\nX-A',
      'no Host': 'GET / HTTP/1.1\r\nX-A: 1',
      'two Hosts': 'GET / HTTP/1.1\r\nHost: a\r\nHost: b',
      'extra token': 'GET / HTTP/1.1 x\r\nHost: x',
      'double space': 'GET  / HTTP/1.1\r\nHost: x',
      'lower-case version': 'GET / http/1.1\r\nHost: x',
      'control in target': 'GET /\x01 HTTP/1.1\r\nHost: x',
      'bad method': 'G(T / HTTP/1.1\r\nHost: x',
      'HTTP/0.9': 'GET /',
    };
    for (const [name, head] of Object.entries(cases)) {
      expect(refused(head).reason, name).toBe('bad-request');
    }
    expect(refused('GET / HTTP/2.0\r\nHost: x').reason).toBe('http-version');
    expect(refused('GET / HTTP/1.2\r\nHost: x').reason).toBe('http-version');
    expect(refused('CONNECT x:443 HTTP/1.1\r\nHost: x').reason).toBe('connect-method');
    expect(refused('GET / HTTP/1.1\r\nHost: x\r\nExpect: magic').reason).toBe('expectation');
  });
});

describe('ChunkedDecoder', () => {
  function decode(pieces: string[]): { body: string; used: number[]; done: boolean } {
    const d = new ChunkedDecoder();
    let body = '';
    const used: number[] = [];
    const sink = {
      onBodyData(c: Buffer) {
        body += c.toString('latin1');
      },
    };
    for (const p of pieces) {
      const b = Buffer.from(p, 'latin1');
      used.push(d.push(b, 0, b.length, sink));
      if (used[used.length - 1] === -1) break;
    }
    return { body, used, done: d.done };
  }

  it('decodes across arbitrary splits, skips extensions and trailers, stops at the end', () => {
    const msg = '4;a=b\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\nGET /next';
    for (let cut = 1; cut < msg.length; cut++) {
      const r = decode([msg.slice(0, cut), msg.slice(cut)]);
      expect(r.body).toBe('Wikipedia in\r\n\r\nchunks.');
      expect(r.done).toBe(true);
      expect(r.used.reduce((a, b) => a + b, 0)).toBe(msg.length - 'GET /next'.length);
    }
  });

  it('refuses bad sizes and framing', () => {
    for (const bad of [
      'x\r\n',
      '-1\r\n',
      ' 1\r\na\r\n',
      '1 \r\na\r\n',
      '0x1\r\na\r\n',
      'fffffffffffff\r\n',
      '1\na\r\n',
      '1\r\nab\r\n',
      '1\r\na\n',
      '0\r\n\n',
      '\r\n',
    ]) {
      expect(decode([bad]).used, JSON.stringify(bad)).toContain(-1);
    }
  });
});
