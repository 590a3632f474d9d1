import { describe, expect, it } from 'vitest';
import { rolloutFromSection } from '../../delivery/from-spec.js';
import { parseSpecText } from '../load-spec.js';
import { SpecError } from '../spec-error.js';

const base = `
mesh:
  services:
    catalog: { versions: { v1: { weight: 100 }, v2: { weight: 0 } } }
services:
  catalog:
    run: [node, catalog.mjs]
    versions: { v1: {}, v2: { replicas: 0 } }
load:
  scenarios:
    browse: { executor: constant-vus, vus: 1, duration: 1s, requests: [{ url: http://127.0.0.1:1/ }] }
`;

const canary = `${base}
rollout:
  catalog:
    version: v2
    progressDeadline: 5m
    analyses:
      judge:
        interval: 10s
        count: 2
        metrics:
          - name: score
            provider: { type: judge, metrics: [{ metric: latency_p50_ms, allowedIncrease: 10% }, { metric: error_rate, critical: true }] }
          - name: success
            provider: { type: mesh, metric: success_rate }
            successCondition: ">= 0.99"
            count: 3
            noData: fail
    load: { url: /products, listener: internal, rate: 200/s }
    notifiers: [{ type: webhook, url: "http://127.0.0.1:9/hook" }]
    canary:
      steps:
        - setHeaderRoute: { header: X-Canary, equals: "1" }
        - setWeight: 20
        - analysis: { templates: [judge], interval: 5s }
        - setMirror: { percentage: 10% }
        - pause: { duration: 30s }
        - setMirror: false
        - setHeaderRoute: false
        - pause: {}
        - setWeight: 50
        - analysis:
            metrics: [{ name: smoke, provider: { type: command, argv: [./smoke.sh, "{{canary}}"] } }]
`;

function issuesOf(text: string) {
  try {
    parseSpecText(text, 'shop.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).issues;
  }
  throw new Error('expected a SpecError');
}

describe('rollout: section', () => {
  it('accepts a canary with every kind of step and resolves analyses (metric > step > template)', () => {
    const r = rolloutFromSection(parseSpecText(canary).spec.rollout, 'catalog');
    expect(r).toMatchObject({
      service: 'catalog',
      version: 'v2',
      progressDeadlineMs: 300_000,
      scaleDownDelayMs: 30_000,
    });
    expect(r.load).toEqual({
      url: '/products',
      listener: 'internal',
      ratePerSec: 200,
      headers: {},
      workers: 1,
    });
    if (r.strategy.type !== 'canary') throw new Error('canary expected');
    expect(r.strategy.steps.map((s) => s.kind)).toEqual([
      'setHeaderRoute',
      'setWeight',
      'analysis',
      'setMirror',
      'pause',
      'setMirror',
      'setHeaderRoute',
      'pause',
      'setWeight',
      'analysis',
    ]);
    expect(r.strategy.steps[0]).toEqual({
      kind: 'setHeaderRoute',
      match: { header: 'x-canary', equals: '1' },
    });
    expect(r.strategy.steps[3]).toEqual({ kind: 'setMirror', fraction: 0.1 });
    expect(r.strategy.steps[5]).toEqual({ kind: 'setMirror', fraction: 0 });
    expect(r.strategy.steps[6]).toEqual({ kind: 'setHeaderRoute', match: null });
    expect(r.strategy.steps[4]).toEqual({ kind: 'pause', durationMs: 30_000 });
    expect(r.strategy.steps[7]).toEqual({ kind: 'pause', durationMs: null });
    const a = r.strategy.steps[2];
    if (a?.kind !== 'analysis') throw new Error('analysis expected');
    expect(a.analysis.name).toBe('judge');
    expect(a.analysis.metrics.map((m) => [m.name, m.intervalMs, m.count, m.noData])).toEqual([
      ['score', 5000, 2, 'inconclusive'],
      ['success', 5000, 3, 'fail'],
    ]);
    expect(a.analysis.metrics[0]?.provider).toMatchObject({ type: 'judge', baseline: 'stable', pass: 90 });
    const last = r.strategy.steps[9];
    if (last?.kind !== 'analysis') throw new Error('analysis expected');
    expect(last.analysis).toMatchObject({
      name: 'inline',
      metrics: [{ name: 'smoke', intervalMs: 10_000, count: 1 }],
    });
  });

  it('accepts blue-green with defaults', () => {
    const spec = parseSpecText(`${base}
rollout:
  catalog:
    version: v2
    blueGreen:
      autoPromotion: false
      prePromotionAnalysis: { metrics: [{ name: up, provider: { type: web, url: "http://127.0.0.1:1/healthz" } }] }
`).spec;
    const r = rolloutFromSection(spec.rollout, 'catalog');
    expect(r.strategy).toMatchObject({
      type: 'blueGreen',
      previewRoute: { header: 'x-preview', equals: '1' },
      previewMirror: 0,
      autoPromotion: false,
      autoPromotionDelayMs: 0,
    });
  });

  it('locates errors: unknown step keys, two keys in a step, bad weights, conditions, providers, templates', () => {
    const issues = issuesOf(`${base}
rollout:
  catalog:
    version: v2
    canary:
      steps:
        - setWeight: 120
        - { setWeight: 10, pause: {} }
        - analysis: { templates: [judge] }
        - analysis: { metrics: [{ name: x, provider: { type: mesh, metric: success_rate }, successCondition: "result ~ 1" }] }
        - analysis: { metrics: [{ name: y, provider: { type: kayenta } }] }
        - jump: 3
`);
    const text = issues.map((i) => `${i.line}:${i.path}: ${i.message}`);
    expect(
      text.some((t) => /^18:rollout\.catalog\.canary\.steps\.0\.setWeight: expected a weight/.test(t)),
    ).toBe(true);
    expect(
      text.some((t) => /^19:.*expected exactly one of setWeight, pause.*got setWeight and pause/.test(t)),
    ).toBe(true);
    expect(text.filter((t) => t.startsWith('23:'))).toHaveLength(1);
    // Template names are checked once the rollout parses.
    const missing = issuesOf(`${base}
rollout:
  catalog:
    version: v2
    canary: { steps: [{ analysis: { templates: [nope] } }] }
`);
    expect(missing.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'rollout.catalog.canary.steps.0.analysis.templates.0: no analysis template "nope"; define it under analyses:',
    ]);
    expect(text.some((t) => /^21:.*successCondition: invalid condition/.test(t))).toBe(true);
    expect(
      text.some((t) =>
        /^22:.*unknown metric provider "kayenta"; expected one of command, judge, mesh/.test(t),
      ),
    ).toBe(true);
    expect(text.some((t) => /^23:.*unknown key "jump"/.test(t))).toBe(true);
  });

  it('needs exactly one strategy, a known service and versions', () => {
    expect(issuesOf(`${base}\nrollout:\n  catalog: { version: v2 }\n`).map((i) => i.message)).toContain(
      'expected exactly one strategy: canary or blueGreen',
    );
    const cross = issuesOf(`${base}
rollout:
  cart: { version: v2, canary: { steps: [{ setWeight: 10 }] } }
  catalog: { version: v3, stableVersion: v9, canary: { steps: [{ setWeight: 10 }] }, load: { scenario: nope } }
`).map((i) => `${i.path}: ${i.message}`);
    expect(cross).toContain('rollout.cart: no service "cart" in services:; services: catalog');
    expect(cross).toContain(
      'rollout.catalog.version: service "catalog" has no version "v3" in services:; versions: v1, v2',
    );
    expect(
      cross.some((c) => c.startsWith('rollout.catalog.stableVersion: service "catalog" has no version "v9"')),
    ).toBe(true);
    expect(cross).toContain('rollout.catalog.load.scenario: no scenario "nope" in load.scenarios');
  });

  it('rolloutFromSection names the known rollouts when asked for another', () => {
    const spec = parseSpecText(canary).spec;
    expect(() => rolloutFromSection(spec.rollout, 'cart')).toThrow(/no rollout for "cart"/);
  });
});
