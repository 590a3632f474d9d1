import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../spec/load-spec.js';
import { servicesFromSpec } from './definition.js';

const text = `
services:
  catalog:
    run: node catalog.mjs
    cwd: shop
    env: { LEVEL: info, SHARED: a }
    replicas: 2
    probes: { readiness: { http: /readyz, interval: 500ms }, startup: { tcp: true, failureThreshold: 30 } }
    restart: { policy: on-failure, backoff: { initial: 100ms, factor: 3 } }
    stop: { signal: SIGINT, grace: 2s }
    versions:
      v1: {}
      v2: { run: [./catalog-v2, --fast], env: { SHARED: b }, replicas: 0 }
  cart:
    run: [python3, -m, cart]
    cwd: /srv/cart
`;

describe('servicesFromSpec', () => {
  it('merges each version with its service, resolves cwd and converts units', () => {
    const [catalog, cart] = servicesFromSpec(parseSpecText(text).spec.services ?? {}, '/work/project');
    expect(catalog?.cwd).toBe('/work/project/shop');
    expect(catalog?.versions).toEqual([
      {
        name: 'v1',
        run: [process.execPath, 'catalog.mjs'],
        env: { LEVEL: 'info', SHARED: 'a' },
        replicas: 2,
      },
      { name: 'v2', run: ['./catalog-v2', '--fast'], env: { LEVEL: 'info', SHARED: 'b' }, replicas: 0 },
    ]);
    expect(catalog?.probes).toEqual({
      readiness: {
        kind: 'http',
        path: '/readyz',
        intervalMs: 500,
        timeoutMs: 1000,
        initialDelayMs: 0,
        successThreshold: 1,
        failureThreshold: 3,
      },
      startup: {
        kind: 'tcp',
        intervalMs: 1000,
        timeoutMs: 1000,
        initialDelayMs: 0,
        successThreshold: 1,
        failureThreshold: 30,
      },
    });
    expect(catalog?.restart).toEqual({
      policy: 'on-failure',
      backoff: { initialMs: 100, maxMs: 30_000, factor: 3 },
      resetAfterMs: 10_000,
      crashLoopLimit: 5,
    });
    expect(catalog?.stop).toEqual({ signal: 'SIGINT', graceMs: 2000, drainTimeoutMs: 5000 });
    expect(cart?.cwd).toBe('/srv/cart');
    expect(cart?.versions).toEqual([{ name: 'v1', run: ['python3', '-m', 'cart'], env: {}, replicas: 1 }]);
    expect(cart?.probes).toEqual({});
    expect(cart?.logs).toEqual({ maxSizeBytes: 10 * 1024 * 1024, keep: 3 });
  });
});
