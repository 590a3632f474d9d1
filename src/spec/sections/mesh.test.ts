import { describe, expect, it } from 'vitest';
import { meshConfigFromSpec } from '../../mesh/from-spec.js';
import { parseSpecText } from '../load-spec.js';
import { SpecError } from '../spec-error.js';

function config(yaml: string) {
  const s = parseSpecText(`version: 1\nmesh:\n${yaml}`, 'mesh.yaml');
  return meshConfigFromSpec(s.spec.mesh as NonNullable<typeof s.spec.mesh>);
}

function issues(yaml: string): string[] {
  try {
    parseSpecText(`version: 1\nmesh:\n${yaml}`, 'mesh.yaml');
  } catch (e) {
    if (e instanceof SpecError) return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('the mesh: section', () => {
  it('fills sensible defaults: a listener on loopback, a default route, Envoy-like limits', () => {
    const c = config(`
  services:
    shop: { versions: { v1: { weight: 1, endpoints: ["127.0.0.1:8081"] } } }
`);
    expect(c.listeners).toEqual([
      {
        name: 'http',
        host: '127.0.0.1',
        port: 0,
        maxHeaderBytes: 16384,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
      },
    ]);
    expect(c.routes).toHaveLength(1);
    expect(c.routes[0]).toMatchObject({ name: 'default', service: 'shop', timeoutMs: 15_000 });
    expect(c.routes[0]?.retry).toMatchObject({
      attempts: 2,
      on: ['connect-failure', 'reset'],
      budgetMinConcurrency: 10,
    });
    expect(c.services[0]).toMatchObject({
      loadBalancer: 'round-robin',
      connectTimeoutMs: 1000,
      circuitBreaker: { maxConnections: 1024, maxPending: 1024, maxRequests: 1024 },
      outlier: { enabled: true, consecutive5xx: 5, baseEjectionMs: 30_000, maxEjectionPercent: 0.1 },
    });
    expect(c.admin).toEqual({ enabled: true, host: '127.0.0.1', port: 0 });
    expect(c.defaultFaultTtlMs).toBe(600_000);
  });

  it('parses units: durations, sizes, shares', () => {
    const c = config(`
  drainTimeout: 5s
  faultTtl: 2m
  listeners: [{ name: edge, port: 8080, maxHeaderSize: 8KiB, headersTimeout: 2s, requestTimeout: 1m }]
  routes:
    - name: api
      match: { regex: "/api/.*", methods: [GET], headers: [{ name: X-User, matches: "a.*" }] }
      service: shop
      timeout: 2.5s
      retries: { attempts: 3, on: [5xx], perTryTimeout: 500ms, backoff: { base: 10ms, max: 1s }, budget: { percent: 25% } }
  services:
    shop:
      loadBalancer: least-request
      versions: { v1: { weight: 1 }, v2: { weight: 0 } }
      mirror: { version: v2, percentage: 5% }
      healthCheck: { path: /healthz, interval: 2s }
      outlierDetection: { consecutive5xx: 3, maxEjectionPercent: "50%" }
  faults:
    - { type: delay, service: shop, version: v2, delay: 100ms, jitter: 10ms, percentage: 10%, ttl: 30s }
    - { type: bandwidth, rate: 64KiB, header: x-slow }
`);
    expect(c.drainTimeoutMs).toBe(5000);
    expect(c.listeners[0]).toMatchObject({
      name: 'edge',
      port: 8080,
      maxHeaderBytes: 8192,
      requestTimeoutMs: 60_000,
    });
    expect(c.routes[0]).toMatchObject({
      timeoutMs: 2500,
      match: {
        path: { type: 'regex', value: '/api/.*' },
        methods: ['GET'],
        headers: [{ name: 'x-user', matches: 'a.*' }],
      },
      retry: {
        attempts: 3,
        on: ['5xx'],
        perTryTimeoutMs: 500,
        backoffBaseMs: 10,
        backoffMaxMs: 1000,
        budgetPercent: 0.25,
      },
    });
    expect(c.services[0]?.mirror).toEqual({ version: 'v2', fraction: 0.05 });
    expect(c.services[0]?.healthCheck).toMatchObject({ path: '/healthz', intervalMs: 2000, timeoutMs: 1000 });
    expect(c.services[0]?.outlier).toMatchObject({ consecutive5xx: 3, maxEjectionPercent: 0.5 });
    expect(c.faults[0]).toEqual({
      type: 'delay',
      target: { service: 'shop', version: 'v2' },
      percentage: 0.1,
      ttlMs: 30_000,
      params: { delay: 100, jitter: 10 },
    });
    expect(c.faults[1]).toMatchObject({ header: { name: 'x-slow' }, params: { rate: 65536 }, percentage: 1 });
  });

  it('accepts false as short for no retries and no outlier detection', () => {
    const c = config(`
  routes: [{ name: r, service: s, retries: false }]
  services:
    s: { outlierDetection: false, versions: { v1: { weight: 1 } } }
`);
    expect(c.routes[0]?.retry.attempts).toBe(0);
    expect(c.services[0]?.outlier.enabled).toBe(false);
  });

  it('names file:line:col and what was expected', () => {
    expect(
      issues(`
  services:
    shop:
      versions: { v1: { weight: -1, endpoints: ["nowhere"] } }
      loadBalancer: random
`),
    ).toEqual([
      '7:21 mesh.services.shop.loadBalancer: expected one of "round-robin", "least-request"; got "random"',
      '6:33 mesh.services.shop.versions.v1.weight: expected a weight ≥ 0; got -1',
      '6:49 mesh.services.shop.versions.v1.endpoints.0: expected host:port such as 127.0.0.1:8081 or [::1]:8081',
    ]);
    expect(
      issues(`
  servces: {}
`),
    ).toEqual([
      expect.stringMatching(/^4:3 mesh\.services: missing required field; expected services by name/),
      expect.stringMatching(
        /^4:3 mesh: unknown key "servces"; expected one of: admin, allowRemote, drainTimeout/,
      ),
    ]);
  });

  it('checks names that refer to other parts', () => {
    expect(
      issues(`
  listeners: [{ name: a }, { name: a }]
  routes:
    - { name: r, service: nope, listeners: [b] }
  services:
    s:
      versions: { v1: {} }
      overrides: [{ header: x, version: v2 }]
      mirror: { version: v3 }
  faults: [{ type: abort, service: s, version: v4 }]
`),
    ).toEqual([
      expect.stringContaining('mesh.listeners.1.name: duplicate listener name "a"'),
      expect.stringContaining('mesh.routes.0.service: unknown service "nope"; expected one of: s'),
      expect.stringContaining('mesh.routes.0.listeners.0: unknown listener "b"'),
      expect.stringContaining('mesh.services.s.overrides.0.version: unknown version "v2"'),
      expect.stringContaining('mesh.services.s.mirror.version: unknown version "v3"'),
      expect.stringContaining('mesh.faults.0.version: unknown version "v4" of service "s"'),
    ]);
    expect(
      issues(`
  services:
    a: { versions: { v1: {} } }
    b: { versions: { v1: {} } }
`),
    ).toEqual([
      expect.stringContaining('mesh.routes: expected routes (with 2 services there is no default route)'),
    ]);
  });

  it('requires exactly one way to match a path and one of header or cookie in an override', () => {
    expect(
      issues(`
  routes: [{ name: r, service: s, match: { prefix: /a, path: /b } }]
  services:
    s:
      versions: { v1: {} }
      overrides: [{ version: v1, equals: "1" }]
`),
    ).toEqual([
      expect.stringContaining('expected at most one of prefix, path, regex; got prefix, path'),
      expect.stringContaining('expected exactly one of header, cookie'),
    ]);
  });
});
