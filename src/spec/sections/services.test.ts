import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../load-spec.js';
import { SpecError } from '../spec-error.js';

function issuesOf(text: string) {
  try {
    parseSpecText(text, 'shop.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).issues;
  }
  throw new Error('expected a SpecError');
}

const good = `
services:
  catalog:
    run: node catalog.mjs --verbose
    cwd: ./shop
    env: { CATALOG_ITEMS: 500, DEBUG: false }
    replicas: 2
    probes:
      readiness: { http: /readyz, interval: 500ms }
      liveness: { tcp: true, failureThreshold: 5 }
    restart: { policy: on-failure, backoff: { initial: 100ms, max: 5s }, crashLoopLimit: 3 }
    stop: { grace: 3s }
    logs: { maxSize: 1MiB, keep: 2 }
    versions:
      v1: {}
      v2: { env: { CATALOG_DELAY_MS: 200 }, replicas: 0 }
  gateway:
    run: [node, gateway.mjs]
    port: 8080
    env: { CATALOG_URL: "{{urls.catalog}}", SELF: "http://{{host}}:{{port}}" }
`;

describe('services: section', () => {
  it('accepts a valid section, splits run strings and fills defaults', () => {
    const services = parseSpecText(good).spec.services;
    const catalog = services?.catalog;
    expect(catalog?.run).toEqual(['node', 'catalog.mjs', '--verbose']);
    expect(catalog?.env).toEqual({ CATALOG_ITEMS: '500', DEBUG: 'false' });
    expect(catalog?.probes.readiness).toMatchObject({ http: '/readyz', interval: 500, timeout: 1000 });
    expect(catalog?.probes.liveness).toMatchObject({ tcp: true, failureThreshold: 5, successThreshold: 1 });
    expect(catalog?.restart).toEqual({
      policy: 'on-failure',
      backoff: { initial: 100, max: 5000, factor: 2 },
      resetAfter: 10_000,
      crashLoopLimit: 3,
    });
    expect(catalog?.stop).toEqual({ signal: 'SIGTERM', grace: 3000, drainTimeout: 5000 });
    expect(catalog?.logs).toEqual({ maxSize: 1024 * 1024, keep: 2 });
    expect(catalog?.versions?.v2).toEqual({ env: { CATALOG_DELAY_MS: '200' }, replicas: 0 });
    const gateway = services?.gateway;
    expect(gateway?.run).toEqual(['node', 'gateway.mjs']);
    expect(gateway?.replicas).toBe(1);
    expect(gateway?.restart.policy).toBe('always');
    expect(gateway?.stop).toEqual({ signal: 'SIGTERM', grace: 10_000, drainTimeout: 5000 });
    expect(gateway?.logs.keep).toBe(3);
  });

  it('refuses a run string that would need a shell, at its line and column', () => {
    const issues = issuesOf(good.replace('node catalog.mjs --verbose', 'node catalog.mjs | tee x'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 4, path: 'services.catalog.run' });
    expect(issues[0]?.message).toContain('"|" is a shell operator');
  });

  it('needs exactly one of http and tcp in a probe', () => {
    const issues = issuesOf(good.replace('{ tcp: true, failureThreshold: 5 }', '{ failureThreshold: 5 }'));
    expect(issues[0]?.path).toBe('services.catalog.probes.liveness');
    expect(issues[0]?.message).toContain('exactly one of http: /path or tcp: true');
  });

  it('names unknown keys with the allowed ones', () => {
    const issues = issuesOf(good.replace('    replicas: 2\n', '    replica: 2\n'));
    expect(issues[0]?.message).toContain('unknown key "replica"');
    expect(issues[0]?.message).toContain('replicas');
    expect(issues[0]?.line).toBe(7);
  });

  it('checks env templates against the services and versions that exist', () => {
    const bad = issuesOf(good.replace('{{urls.catalog}}', '{{urls.catalgo}}'));
    expect(bad[0]?.path).toBe('services.gateway.env.CATALOG_URL');
    expect(bad[0]?.message).toContain('names no service; services: catalog, gateway');
    const badVersion = issuesOf(good.replace('{{urls.catalog}}', '{{urls.catalog.v3}}'));
    expect(badVersion[0]?.message).toContain('names no version of catalog; versions: v1, v2');
    const unknown = issuesOf(good.replace('{{urls.catalog}}', '{{secret}}'));
    expect(unknown[0]?.message).toContain('unknown template {{secret}}');
    expect(
      parseSpecText(good.replace('{{urls.catalog}}', '{{urls.catalog.v2}}')).spec.services,
    ).toBeDefined();
  });

  it('allows a fixed port only for a single replica', () => {
    const issues = issuesOf(good.replace('    port: 8080\n', '    port: 8080\n    replicas: 2\n'));
    expect(issues[0]?.path).toBe('services.gateway.port');
    expect(issues[0]?.message).toContain('at most one replica');
  });

  it('rejects bad names, units and policies', () => {
    expect(issuesOf(good.replace('  gateway:', '  Gateway:'))[0]?.message).toContain('lower-case');
    expect(issuesOf(good.replace('grace: 3s', 'grace: soon'))[0]?.message).toContain('a duration such as');
    const policy = issuesOf(good.replace('policy: on-failure', 'policy: sometimes'))[0];
    expect(policy?.message).toContain('"always", "on-failure", "never"');
    expect(issuesOf(good.replace('replicas: 2', 'replicas: -1'))[0]?.message).toContain('non-negative');
  });
});
