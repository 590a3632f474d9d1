import { describe, expect, it } from 'vitest';
import {
  downstreamResponseHeaders,
  findCookie,
  findHeader,
  nameIs,
  type RequestFacts,
  upstreamRequestHeaders,
} from './headers.js';

const facts = (): RequestFacts => ({ contentLength: -1, chunked: false, requestId: '' });
function pairs(list: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < list.length; i += 2) out.push([list[i] as string, list[i + 1] as string]);
  return out;
}

describe('header helpers', () => {
  it('compares names case-insensitively', () => {
    expect(nameIs('X-Canary', 'x-canary')).toBe(true);
    expect(nameIs('X-Canar', 'x-canary')).toBe(false);
    expect(nameIs('x-canarz', 'x-canary')).toBe(false);
  });
  it('finds headers and cookies', () => {
    const raw = ['Host', 'a', 'X-Canary', '1', 'Cookie', 'a=1; canary=yes; b=2', 'cookie', 'late=3'];
    expect(findHeader(raw, 'x-canary')).toBe('1');
    expect(findHeader(raw, 'x-none')).toBeUndefined();
    expect(findCookie(raw, 'canary')).toBe('yes');
    expect(findCookie(raw, 'a')).toBe('1');
    expect(findCookie(raw, 'b')).toBe('2');
    expect(findCookie(raw, 'late')).toBe('3');
    expect(findCookie(raw, 'can')).toBeUndefined();
    expect(findCookie(['Host', 'x'], 'a')).toBeUndefined();
  });
});

describe('upstreamRequestHeaders', () => {
  it('drops hop-by-hop headers and keeps end-to-end ones', () => {
    const f = facts();
    const out = upstreamRequestHeaders(
      [
        'Host',
        'shop',
        'Connection',
        'keep-alive',
        'Keep-Alive',
        'timeout=5',
        'TE',
        'trailers',
        'Upgrade',
        'websocket',
        'Proxy-Connection',
        'x',
        'Transfer-Encoding',
        'chunked',
        'Expect',
        '100-continue',
        'traceparent',
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'Content-Type',
        'text/plain',
      ],
      '127.0.0.1',
      f,
    );
    const names = pairs(out).map(([n]) => n.toLowerCase());
    for (const h of [
      'connection',
      'keep-alive',
      'te',
      'upgrade',
      'proxy-connection',
      'transfer-encoding',
      'expect',
    ])
      expect(names).not.toContain(h);
    expect(findHeader(out, 'traceparent')).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(findHeader(out, 'host')).toBe('shop');
    expect(findHeader(out, 'content-type')).toBe('text/plain');
    expect(f.chunked).toBe(true);
  });
  it('appends to x-forwarded-for, sets x-forwarded-proto, generates x-request-id', () => {
    const f = facts();
    const out = upstreamRequestHeaders(
      ['X-Forwarded-For', '10.0.0.1', 'X-Forwarded-Proto', 'https', 'Content-Length', '5'],
      '127.0.0.2',
      f,
    );
    expect(findHeader(out, 'x-forwarded-for')).toBe('10.0.0.1, 127.0.0.2');
    expect(pairs(out).filter(([n]) => n.toLowerCase() === 'x-forwarded-proto')).toEqual([
      ['x-forwarded-proto', 'http'],
    ]);
    expect(f.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(findHeader(out, 'x-request-id')).toBe(f.requestId);
    expect(f.contentLength).toBe(5);
  });
  it('keeps a given x-request-id', () => {
    const f = facts();
    const out = upstreamRequestHeaders(['X-Request-Id', 'abc'], '127.0.0.1', f);
    expect(f.requestId).toBe('abc');
    expect(pairs(out).filter(([n]) => n.toLowerCase() === 'x-request-id')).toHaveLength(1);
  });
  it('drops the headers Connection names', () => {
    const out = upstreamRequestHeaders(
      ['Connection', 'close, X-Hop', 'X-Hop', '1', 'X-Keep', '2'],
      '127.0.0.1',
      facts(),
    );
    expect(findHeader(out, 'x-hop')).toBeUndefined();
    expect(findHeader(out, 'x-keep')).toBe('2');
  });
});

describe('downstreamResponseHeaders', () => {
  const b = (...xs: string[]) => xs;
  it('drops hop-by-hop headers, keeps duplicates such as set-cookie, appends extras', () => {
    const out = downstreamResponseHeaders(
      b(
        'Content-Type',
        'text/plain',
        'Connection',
        'keep-alive',
        'Keep-Alive',
        'timeout=5',
        'Transfer-Encoding',
        'chunked',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'X-Caf\u00e9',
        'caf\u00e9',
      ),
      ['connection', 'close'],
    );
    expect(pairs(out)).toEqual([
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-caf\u00e9', 'caf\u00e9'],
      ['connection', 'close'],
    ]);
  });
  it('drops headers named by the upstream Connection header', () => {
    const out = downstreamResponseHeaders(b('Connection', 'X-Private', 'X-Private', 's', 'X-Public', 'p'));
    expect(pairs(out)).toEqual([['x-public', 'p']]);
  });
});
