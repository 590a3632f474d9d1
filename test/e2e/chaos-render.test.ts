import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { chaosMeshValidators } from '../helpers/chaos-mesh-schemas.js';
import { runCliProcess } from '../helpers/cli.js';

// Acceptance: `shakedown chaos render --target kubernetes` turns experiments into Chaos Mesh
// objects that validate against the CRD schemas in ../shared/schemas/chaos-mesh/ (the
// openAPIV3Schema of each CRD, compiled with ajv): every fault kind that has one, and a
// Workflow (with Serial, Parallel, Suspend and Schedule templates) for a sequence.
const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = `version: 1
chaos:
  experiments:
    kill-one: { method: [{ fault: { type: replica-kill, service: catalog, select: one } }] }
    fail-half:
      method: [{ fault: { type: replica-failure, service: catalog, select: 50% }, duration: 30s }]
    slow: { method: [{ fault: { type: latency, service: catalog, version: v2, latency: 300ms, percentage: 10% }, duration: 1m }] }
    errors: { method: [{ fault: { type: abort, service: cart, status: 503 }, duration: 20s }] }
    resets: { method: [{ fault: { type: abort, service: cart, reset: true }, duration: 20s }] }
    down: { method: [{ fault: { type: down, service: orders }, duration: 20s }] }
    hole: { method: [{ fault: { type: blackhole, service: orders }, duration: 20s }] }
    thin: { method: [{ fault: { type: bandwidth, service: catalog, rate: 64KiB }, duration: 20s }] }
    cut: { method: [{ fault: { type: partition, from: gateway, to: cart, direction: both }, duration: 15s }] }
    cpu: { method: [{ fault: { type: cpu-stress, service: catalog, select: 2, workers: 2, load: 80 }, duration: 30s }] }
    memory: { method: [{ fault: { type: memory-stress, service: catalog, size: 256MiB }, duration: 30s }] }
    game-day:
      method:
        - fault: { type: replica-kill, service: catalog }
          every: 10s
          duration: 60s
        - wait: 5s
        - parallel:
            - fault: { type: latency, service: catalog, latency: 300ms }
              duration: 30s
            - fault: { type: partition, from: gateway, to: cart, direction: to }
              duration: 20s
        - action: { type: scale, service: catalog, replicas: 3 }
        - serial:
            - fault: { type: cpu-stress, service: catalog }
              duration: 10s
            - fault: { type: tcp-down, listener: postgres }
              duration: 10s
`;

const byNameOf = <T extends { metadata: { name: string } }>(objects: T[], name: string) =>
  objects.find((o) => o.metadata.name === name);

describe('shakedown chaos render --target kubernetes', () => {
  it('renders Chaos Mesh objects that validate against the shared CRD schemas', async () => {
    const file = join(dir, 'shakedown.yaml');
    writeFileSync(file, spec);
    const r = await runCliProcess(['chaos', 'render', file, '--target', 'kubernetes', '--namespace', 'shop']);
    expect(r.code, r.stderr).toBe(0);
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS()) as Array<{
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string };
      spec: Record<string, unknown>;
    }>;
    const validators = chaosMeshValidators();
    for (const o of objects) {
      expect(o.apiVersion).toBe('chaos-mesh.org/v1alpha1');
      expect(o.metadata.namespace).toBe('shop');
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      const validate = validators[o.kind];
      if (!validate) throw new Error(`unexpected kind ${o.kind}`);
      expect(validate(o), `${o.kind} ${o.metadata.name}`).toEqual([]);
    }
    // The validators bite: a wrong action or a missing selector is refused.
    const pod = objects.find((o) => o.kind === 'PodChaos');
    expect(validators.PodChaos?.({ ...pod, spec: { ...pod?.spec, action: 'pod-explode' } })).not.toEqual([]);
    expect(validators.PodChaos?.({ ...pod, spec: { action: 'pod-kill', mode: 'one' } })).not.toEqual([]);
    expect(byNameOf(objects, 'memory-memory-stress')?.spec).toMatchObject({
      stressors: { memory: { workers: 1, size: '256MiB' } },
    });

    const kinds = objects.map((o) => o.kind);
    for (const k of ['PodChaos', 'NetworkChaos', 'StressChaos', 'HTTPChaos', 'Workflow'])
      expect(kinds).toContain(k);
    expect(objects).toHaveLength(12);

    const byName = Object.fromEntries(objects.map((o) => [o.metadata.name, o]));
    expect(byName['kill-one-replica-kill']?.spec).toMatchObject({ action: 'pod-kill', mode: 'one' });
    expect(byName['fail-half-replica-failure']?.spec).toMatchObject({
      action: 'pod-failure',
      mode: 'fixed-percent',
      value: '50',
      duration: '30s',
    });
    expect(byName['slow-latency']?.spec).toMatchObject({
      delay: '300ms',
      mode: 'random-max-percent',
      value: '10',
      selector: { labelSelectors: { app: 'catalog', version: 'v2' } },
    });
    expect(byName['cut-partition']?.spec).toMatchObject({ action: 'partition', direction: 'both' });

    const wf = byName['game-day'];
    const templates = wf?.spec.templates as Array<{
      name: string;
      templateType: string;
      children?: string[];
    }>;
    expect(templates.map((t) => t.templateType).sort()).toEqual(
      [
        'HTTPChaos',
        'NetworkChaos',
        'Parallel',
        'Schedule',
        'Serial',
        'Serial',
        'StressChaos',
        'Suspend',
      ].sort(),
    );
    expect(templates.find((t) => t.name === 'entry')?.children).toHaveLength(4);
    // The scale action and the TCP listener have no Chaos Mesh equivalent: said, not hidden.
    expect(r.stderr).toMatch(/skipped .*action scale has no Chaos Mesh equivalent/);
    expect(r.stderr).toMatch(/skipped .*tcp-down has no Chaos Mesh equivalent/);
  });

  it('refuses a target it does not know', async () => {
    const file = join(dir, 'shakedown.yaml');
    writeFileSync(file, spec);
    const r = await runCliProcess(['chaos', 'render', file, '--target', 'nomad']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown render target "nomad"/);
  });
});
