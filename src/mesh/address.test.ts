import { describe, expect, it } from 'vitest';
import { assertEndpointAllowed, parseAddress } from './address.js';

describe('endpoint addresses', () => {
  it('parses host:port and [v6]:port', () => {
    expect(parseAddress('127.0.0.1:8081')).toEqual({
      host: '127.0.0.1',
      port: 8081,
      origin: 'http://127.0.0.1:8081',
      text: '127.0.0.1:8081',
    });
    expect(parseAddress('[::1]:9000').origin).toBe('http://[::1]:9000');
    expect(parseAddress('localhost:1').text).toBe('localhost:1');
  });
  it('rejects what is not host:port', () => {
    for (const bad of ['127.0.0.1', ':80', 'a:0', 'a:70000', 'http://a:1', '::1:80', ''])
      expect(() => parseAddress(bad), bad).toThrow(/expected host:port/);
  });
  it('refuses non-loopback endpoints unless allowed', () => {
    expect(() => assertEndpointAllowed(parseAddress('10.0.0.1:80'), false)).toThrow(/not a loopback/);
    expect(() => assertEndpointAllowed(parseAddress('10.0.0.1:80'), true)).not.toThrow();
    expect(() => assertEndpointAllowed(parseAddress('127.0.0.2:80'), false)).not.toThrow();
  });
});
