import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from './host-port.js';

describe('parseHostPort', () => {
  it('reads host:port, [v6]:port, :port and bare ports', () => {
    expect(parseHostPort('127.0.0.1:5432')).toEqual({ host: '127.0.0.1', port: 5432 });
    expect(parseHostPort('localhost:6379')).toEqual({ host: 'localhost', port: 6379 });
    expect(parseHostPort('[::1]:5432')).toEqual({ host: '::1', port: 5432 });
    expect(parseHostPort(':15432')).toEqual({ host: '127.0.0.1', port: 15432 });
    expect(parseHostPort(5432)).toEqual({ host: '127.0.0.1', port: 5432 });
    expect(parseHostPort({ host: '::1', port: 1 })).toEqual({ host: '::1', port: 1 });
  });

  it('allows port 0 only where asked and rejects garbage with the expected shape', () => {
    expect(parseHostPort('127.0.0.1:0', { allowPortZero: true }).port).toBe(0);
    expect(() => parseHostPort('127.0.0.1:0')).toThrow(/expected host:port/);
    expect(() => parseHostPort('127.0.0.1:70000')).toThrow(/invalid address "127.0.0.1:70000"/);
    expect(() => parseHostPort('db', { what: 'upstream address' })).toThrow(/invalid upstream address "db"/);
    expect(() => parseHostPort('::1:5432')).toThrow();
  });

  it('formats IPv6 in brackets', () => {
    expect(formatHostPort({ host: '::1', port: 5 })).toBe('[::1]:5');
    expect(formatHostPort({ host: 'localhost', port: 5 })).toBe('localhost:5');
  });
});
