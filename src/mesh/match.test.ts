import { describe, expect, it } from 'vitest';
import { compileOverrides, compileRoute, originForm } from './match.js';
import { meshDefaults, type RouteConfig } from './model.js';

function route(match: Partial<RouteConfig['match']>): RouteConfig {
  return {
    name: 'r',
    listeners: [],
    service: 's',
    timeoutMs: 1000,
    retry: meshDefaults.retry,
    match: { path: { type: 'prefix', value: '/' }, methods: [], headers: [], ...match },
  };
}

describe('route matching', () => {
  it('matches prefixes as plain string prefixes, query included', () => {
    const r = compileRoute(route({ path: { type: 'prefix', value: '/api' } }));
    expect(r.matches('GET', '/api', [])).toBe(true);
    expect(r.matches('GET', '/api/x?y=1', [])).toBe(true);
    expect(r.matches('GET', '/apix', [])).toBe(true);
    expect(r.matches('GET', '/ap', [])).toBe(false);
    expect(compileRoute(route({})).matches('GET', '/anything', [])).toBe(true);
  });
  it('matches exact paths ignoring the query', () => {
    const r = compileRoute(route({ path: { type: 'exact', value: '/health' } }));
    expect(r.matches('GET', '/health', [])).toBe(true);
    expect(r.matches('GET', '/health?full=1', [])).toBe(true);
    expect(r.matches('GET', '/healthz', [])).toBe(false);
    expect(r.matches('GET', '/', [])).toBe(false);
  });
  it('matches whole paths by regex', () => {
    const r = compileRoute(route({ path: { type: 'regex', value: '/products/\\d+' } }));
    expect(r.matches('GET', '/products/12', [])).toBe(true);
    expect(r.matches('GET', '/products/12?x', [])).toBe(true);
    expect(r.matches('GET', '/products/12/reviews', [])).toBe(false);
    expect(r.matches('GET', '/v1/products/12', [])).toBe(false);
  });
  it('matches methods and headers', () => {
    const r = compileRoute(
      route({
        methods: ['POST'],
        headers: [
          { name: 'x-user', matches: 'a.*' },
          { name: 'x-debug', present: false },
          { name: 'x-tenant', equals: 'acme' },
          { name: 'x-any' },
        ],
      }),
    );
    const ok = ['X-User', 'alice', 'X-Tenant', 'acme', 'X-Any', ''];
    expect(r.matches('POST', '/', ok)).toBe(true);
    expect(r.matches('GET', '/', ok)).toBe(false);
    expect(r.matches('POST', '/', [...ok, 'X-Debug', '1'])).toBe(false);
    expect(r.matches('POST', '/', ['X-User', 'bob', 'X-Tenant', 'acme', 'X-Any', ''])).toBe(false);
    expect(r.matches('POST', '/', ['X-User', 'alice', 'X-Tenant', 'acme'])).toBe(false);
  });
  it('turns absolute-form targets into origin form', () => {
    expect(originForm('/a?b')).toBe('/a?b');
    expect(originForm('http://shop:8080/a?b')).toBe('/a?b');
    expect(originForm('http://shop')).toBe('/');
    expect(originForm('http://shop?x')).toBe('/?x');
    expect(originForm('*')).toBe('*');
  });
});

describe('version overrides', () => {
  it('picks the first override that matches, by header or cookie', () => {
    const pick = compileOverrides([
      { header: 'x-canary', equals: '1', version: 'v2' },
      { cookie: 'beta', present: true, version: 'v3' },
      { header: 'x-user', matches: 'qa-.*', version: 'v2' },
    ]);
    expect(pick).toBeDefined();
    const p = pick as NonNullable<typeof pick>;
    expect(p(['X-Canary', '1'])).toBe('v2');
    expect(p(['X-Canary', '0'])).toBeUndefined();
    expect(p(['Cookie', 'a=1; beta=on'])).toBe('v3');
    expect(p(['X-User', 'qa-7'])).toBe('v2');
    expect(p(['X-User', 'xqa-7'])).toBeUndefined();
    expect(compileOverrides([])).toBeUndefined();
  });
});
