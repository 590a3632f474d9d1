import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSpecFile, parseSpecText } from '../../spec/load-spec.js';
import { rolloutFromSection } from '../from-spec.js';
import { renderKubernetes } from './kubernetes.js';
import { httpRouteValidator, repoRoot, sharedSchemasDir } from './validate.js';

const shop = loadSpecFile(join(repoRoot, 'examples', 'shop', 'shakedown.yaml'));
const spec = parseSpecText(
  `
mesh:
  routes:
    - { name: catalog, match: { regex: "/(products|search)(/.*)?", methods: [GET] }, service: catalog }
  services:
    catalog:
      versions: { v1: { weight: 100 }, v2: { weight: 0 } }
      overrides: [{ header: x-canary, equals: "1", version: v2 }]
services:
  catalog:
    run: [node, catalog.mjs]
    replicas: 3
    probes: { readiness: { http: /readyz, interval: 2s } }
    versions: { v1: {}, v2: { replicas: 0, env: { CATALOG_DELAY_MS: 5, SELF: "http://{{host}}:{{port}}" } } }
rollout:
  catalog:
    version: v2
    canary:
      steps:
        - setHeaderRoute: { header: x-canary, equals: "1" }
        - setWeight: 10
        - analysis: { metrics: [{ name: ok, provider: { type: mesh, metric: success_rate } }] }
        - setMirror: { percentage: 25% }
        - setWeight: 50
        - setMirror: false
        - setHeaderRoute: { cookie: beta, equals: "yes" }
        - pause: {}
`,
  '/tmp/x/shakedown.yaml',
  '/tmp/x',
);
const rollout = rolloutFromSection(spec.spec.rollout, 'catalog');

let validate: (o: Record<string, unknown>) => string[];
beforeAll(async () => {
  validate = await httpRouteValidator(sharedSchemasDir());
});

const routesOf = (steps: ReturnType<typeof renderKubernetes>) =>
  steps.flatMap((s) => s.objects.filter((o) => o.kind === 'HTTPRoute'));

describe('renderKubernetes', () => {
  const steps = renderKubernetes(spec, rollout, { namespace: 'shop' });

  it('emits setup, one HTTPRoute per step and the promoted state', () => {
    expect(steps.map((s) => s.step)).toEqual(['setup', 0, 1, 2, 3, 4, 5, 6, 7, 'promoted']);
    const kinds = steps[0]?.objects.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`);
    expect(kinds).toEqual([
      'Service/catalog',
      'Service/catalog-v1',
      'Service/catalog-v2',
      'Deployment/catalog-v2',
      'HTTPRoute/catalog',
    ]);
    expect(steps.at(-1)?.objects.map((o) => o.kind)).toEqual(['HTTPRoute', 'Deployment']);
  });

  it('every rendered HTTPRoute validates against the Gateway API CRD schema', () => {
    const routes = routesOf(steps);
    expect(routes).toHaveLength(10);
    for (const r of routes) expect(validate(r), JSON.stringify(r)).toEqual([]);
    const viaGateway = renderKubernetes(spec, rollout, {
      namespace: 'shop',
      gateway: { name: 'public', namespace: 'infra', sectionName: 'http' },
    });
    for (const r of routesOf(viaGateway)) expect(validate(r)).toEqual([]);
    const shopSteps = renderKubernetes(shop, { ...rollout, stableVersion: 'v1' }, { namespace: 'default' });
    for (const r of routesOf(shopSteps)) expect(validate(r)).toEqual([]);
  });

  it('the validator catches what the CRD forbids', () => {
    const r = structuredClone(routesOf(steps)[2] as Record<string, unknown>);
    const rules = (r.spec as { rules: Array<{ backendRefs: Array<{ weight: number; port?: number }> }> })
      .rules;
    (rules.at(-1)?.backendRefs[0] as { weight: number }).weight = 2_000_000;
    expect(validate(r).join()).toMatch(/weight|maximum/);
    expect(
      validate({
        ...r,
        spec: { ...(r.spec as object), rules: [{ matches: [{ path: { type: 'Glob', value: '/' } }] }] },
      }).length,
    ).toBeGreaterThan(0);
    expect(validate({ apiVersion: 'v1', kind: 'HTTPRoute' })[0]).toMatch(/apiVersion/);
  });

  it('weights, header routes and mirrors follow the steps', () => {
    const rules = (i: number) =>
      ((routesOf(steps)[i] as Record<string, unknown>).spec as { rules: Array<Record<string, unknown>> })
        .rules as Array<{
        matches?: Array<{ headers?: unknown[]; path?: unknown; method?: string }>;
        backendRefs: Array<{ name: string; weight: number }>;
        filters?: Array<{ requestMirror: { percent: number; backendRef: { name: string } } }>;
      }>;
    // setup: all to v1 (the zero-weight v2 is left out)
    expect(rules(0).at(-1)?.backendRefs).toEqual([{ name: 'catalog-v1', port: 8080, weight: 100 }]);
    // step 1 header route: a rule in front sending x-canary: 1 to v2
    expect(rules(1)[0]?.backendRefs).toEqual([{ name: 'catalog-v2', port: 8080, weight: 100 }]);
    expect(rules(1)[0]?.matches?.[0]).toEqual({
      path: { type: 'RegularExpression', value: '^/(products|search)(/.*)?$' },
      method: 'GET',
      headers: [{ type: 'Exact', name: 'x-canary', value: '1' }],
    });
    // step 2 weight 10
    expect(
      rules(2)
        .at(-1)
        ?.backendRefs.map((b) => [b.name, b.weight]),
    ).toEqual([
      ['catalog-v1', 90],
      ['catalog-v2', 10],
    ]);
    // step 3 analysis: unchanged; step 4 mirror 25 %
    expect(rules(3)).toEqual(rules(2));
    expect(rules(4).at(-1)?.filters?.[0]?.requestMirror).toEqual({
      backendRef: { name: 'catalog-v2', port: 8080 },
      percent: 25,
    });
    // step 6 mirror off, step 7 cookie route
    expect(rules(6).at(-1)?.filters).toBeUndefined();
    expect(rules(7)[0]?.matches?.[0]?.headers).toEqual([
      { type: 'RegularExpression', name: 'Cookie', value: '(^|.*; )beta=yes(;.*|$)' },
    ]);
    // promoted: all to v2, no header rule, v1 scaled to 0
    const last = rules(9);
    expect(last).toHaveLength(1);
    expect(last[0]?.backendRefs).toEqual([{ name: 'catalog-v2', port: 8080, weight: 100 }]);
    const old = steps.at(-1)?.objects[1] as { spec: { replicas: number }; metadata: { name: string } };
    expect(old.metadata.name).toBe('catalog-v1');
    expect(old.spec.replicas).toBe(0);
  });

  it("the new Deployment takes the stable's replicas, probes and env (without fleet templates)", () => {
    const d = steps[0]?.objects[3] as {
      spec: { replicas: number; template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    expect(d.spec.replicas).toBe(3);
    const c = d.spec.template.spec.containers[0] as {
      image: string;
      env: Array<{ name: string; value: string }>;
      readinessProbe: unknown;
    };
    expect(c.image).toBe('catalog:v2');
    expect(c.env).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'CATALOG_DELAY_MS', value: '5' },
    ]);
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 2 });
  });
});

describe('sharedSchemasDir', () => {
  it('takes SHAKEDOWN_SHARED_SCHEMAS first, then ../shared/schemas, then the fallback', () => {
    const real = sharedSchemasDir();
    expect(sharedSchemasDir({ SHAKEDOWN_SHARED_SCHEMAS: real }, '/nonexistent/repo', '/nonexistent')).toBe(
      real,
    );
    expect(sharedSchemasDir({}, '/nonexistent/repo', real)).toBe(real);
  });
  it('fails clearly, naming where it looked, when the schemas are nowhere', () => {
    expect(() =>
      sharedSchemasDir({ SHAKEDOWN_SHARED_SCHEMAS: '/nope' }, '/nonexistent/repo', '/nonexistent'),
    ).toThrow(
      expect.objectContaining({
        code: 'E_NO_SCHEMAS',
        exitCode: 4,
        message: expect.stringContaining('/nope, /nonexistent/shared/schemas, /nonexistent'),
      }),
    );
  });
});
