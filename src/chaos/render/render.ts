import { formatDurationMs } from '../../core/units.js';
import { chaosFaultRegistry } from '../faults/registry.js';
import type { ExperimentSpec, StepSpec } from '../schema.js';
import type { ChaosMeshObject, RenderContext } from './types.js';

/**
 * An experiment's method as Chaos Mesh objects for Kubernetes (`shakedown chaos render
 * --target kubernetes`): a method of one fault becomes that fault's object (PodChaos,
 * NetworkChaos, StressChaos, HTTPChaos) with its duration; a longer method becomes a
 * Workflow — serial and parallel groups as Serial / Parallel templates, waits as Suspend,
 * a fault repeated `every` as a Schedule template — so the sequence runs in the cluster as
 * it runs here. Steps with no Kubernetes equivalent (actions, TCP toxics, databases) are
 * listed as skipped. Pure; tests validate the output against the CRD schemas.
 */
export interface RenderOptions {
  namespace: string;
  /** Pod labels of a service (default `app: <service>`, plus `version` when given). */
  labels?: (service: string, version?: string) => Record<string, string>;
  ports?: Record<string, number>;
}

export interface RenderResult {
  objects: ChaosMeshObject[];
  skipped: Array<{ step: string; why: string }>;
}

const kindField: Record<string, string> = {
  PodChaos: 'podChaos',
  NetworkChaos: 'networkChaos',
  StressChaos: 'stressChaos',
  HTTPChaos: 'httpChaos',
};

export function dnsName(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '') || 'chaos'
  );
}

/** A Chaos Mesh duration ("30s", "1m30s", "500ms"). */
export function meshDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : formatDurationMs(ms);
}

export function renderExperiment(name: string, exp: ExperimentSpec, o: RenderOptions): RenderResult {
  const faults = chaosFaultRegistry();
  const skipped: RenderResult['skipped'] = [];
  const base = dnsName(name);
  const ctxFor = (objName: string, durationMs: number | undefined): RenderContext => ({
    namespace: o.namespace,
    name: objName,
    duration: durationMs ? meshDuration(durationMs) : undefined,
    selectorOf: (service, version) =>
      o.labels?.(service, version) ?? { app: service, ...(version ? { version } : {}) },
    portOf: (service) => o.ports?.[service] ?? 8080,
  });
  const renderFault = (
    step: Extract<StepSpec, { kind: 'fault' }>,
    objName: string,
    withDuration: boolean,
  ) => {
    const t = faults.get(step.fault.type);
    if (!t.render) {
      skipped.push({ step: objName, why: `${step.fault.type} has no Chaos Mesh equivalent` });
      return [];
    }
    const { type: _, ttl: __, ...params } = step.fault as Record<string, unknown>;
    return t.render(
      params as never,
      ctxFor(objName, withDuration && !step.everyMs ? step.durationMs || undefined : undefined),
    );
  };

  // One fault: its object alone.
  const only = exp.method.length === 1 ? exp.method[0] : undefined;
  if (only?.kind === 'fault' && only.everyMs === undefined) {
    return { objects: renderFault(only, `${base}-${dnsName(only.fault.type)}`, true), skipped };
  }

  const templates: Array<Record<string, unknown>> = [];
  const add = (step: StepSpec, path: string): string | undefined => {
    const tname = dnsName(`${path}-${step.name ?? (step.kind === 'fault' ? step.fault.type : step.kind)}`);
    switch (step.kind) {
      case 'wait':
        templates.push({ name: tname, templateType: 'Suspend', deadline: meshDuration(step.durationMs) });
        return tname;
      case 'action':
        skipped.push({ step: tname, why: `action ${step.action.type} has no Chaos Mesh equivalent` });
        return undefined;
      case 'parallel':
      case 'serial': {
        const children = step.steps.map((s, i) => add(s, `${path}-${i + 1}`)).filter((c): c is string => !!c);
        if (children.length === 0) return undefined;
        templates.push({
          name: tname,
          templateType: step.kind === 'parallel' ? 'Parallel' : 'Serial',
          children,
        });
        return tname;
      }
      case 'fault': {
        const [obj] = renderFault(step, tname, false);
        if (!obj) return undefined;
        const field = kindField[obj.kind] as string;
        if (step.everyMs !== undefined) {
          templates.push({
            name: tname,
            templateType: 'Schedule',
            deadline: meshDuration(step.durationMs),
            schedule: {
              schedule: `@every ${meshDuration(step.everyMs)}`,
              type: obj.kind,
              concurrencyPolicy: 'Forbid',
              historyLimit: 5,
              [field]: obj.spec,
            },
          });
        } else {
          templates.push({
            name: tname,
            templateType: obj.kind,
            ...(step.durationMs ? { deadline: meshDuration(step.durationMs) } : {}),
            [field]: obj.spec,
          });
        }
        return tname;
      }
    }
  };
  const children = exp.method.map((s, i) => add(s, `step-${i + 1}`)).filter((c): c is string => !!c);
  templates.unshift({ name: 'entry', templateType: 'Serial', children });
  return {
    objects: [
      {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'Workflow',
        metadata: {
          name: base,
          namespace: o.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'shakedown' },
        },
        spec: { entry: 'entry', templates },
      },
    ],
    skipped,
  };
}
