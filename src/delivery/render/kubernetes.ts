import { usageError } from '../../core/errors.js';
import type { ProbeDefinition } from '../../fleet/definition.js';
import { serviceFromSpec } from '../../fleet/definition.js';
import { meshConfigFromSpec } from '../../mesh/from-spec.js';
import type { LoadedSpec } from '../../spec/load-spec.js';
import type { RolloutSpec, Step } from '../model.js';
import { planSteps } from '../plan.js';
import { describeStep } from '../status.js';
import { GatewayApiRouter } from './gateway-api.js';

/**
 * `shakedown rollout render --target kubernetes`: a rollout as the Kubernetes objects a
 * GitOps pipeline (or a person with kubectl) applies step by step — first the new
 * version's Deployment and a Service per version, then, for every step, the Gateway API
 * HTTPRoute with its backend weights (and header match or mirror), then the promoted
 * route and the old Deployment scaled to 0. Analysis and pause steps keep the route of the
 * step before (re-emitted, so each step is complete on its own). Pure: spec in, objects out.
 */
export interface KubernetesRenderOptions {
  namespace: string;
  /** Image of each version's container (default `<service>:<version>`). */
  image?(service: string, version: string): string;
  gateway?: { name: string; namespace?: string; sectionName?: string };
  /** Container and Service port (default 8080; the replica gets it as PORT). */
  port?: number;
  /** Replicas of the stable version, for the new one's default (default: the spec's). */
  stableReplicas?: number;
}

export interface RenderedStep {
  /** `setup`, a step index (0-based), `promoted`. */
  step: 'setup' | number | 'promoted';
  description: string;
  objects: Array<Record<string, unknown>>;
}

type Obj = Record<string, unknown>;

function probe(p: ProbeDefinition | undefined, port: number): Obj | undefined {
  if (!p) return undefined;
  return {
    ...(p.kind === 'http' ? { httpGet: { path: p.path ?? '/', port } } : { tcpSocket: { port } }),
    periodSeconds: Math.max(1, Math.round(p.intervalMs / 1000)),
    timeoutSeconds: Math.max(1, Math.round(p.timeoutMs / 1000)),
    initialDelaySeconds: Math.round(p.initialDelayMs / 1000),
    successThreshold: p.successThreshold,
    failureThreshold: p.failureThreshold,
  };
}

export function renderKubernetes(
  loaded: LoadedSpec,
  rollout: RolloutSpec,
  opts: KubernetesRenderOptions,
): RenderedStep[] {
  const { spec } = loaded;
  const svcSpec = spec.services?.[rollout.service];
  if (!svcSpec || !spec.mesh)
    throw usageError(
      'E_ROLLOUT_RENDER',
      `rendering needs ${rollout.service} in services: and a mesh: section`,
    );
  const def = serviceFromSpec(rollout.service, svcSpec, loaded.dir);
  const mesh = meshConfigFromSpec(spec.mesh);
  const meshService = mesh.services.find((s) => s.name === rollout.service);
  const stable =
    rollout.stableVersion ??
    [...(meshService?.versions ?? [])]
      .filter((v) => v.name !== rollout.version)
      .sort((a, b) => b.weight - a.weight)[0]?.name;
  if (!stable) throw usageError('E_ROLLOUT_RENDER', `no stable version of ${rollout.service} to render from`);
  const port = opts.port ?? 8080;
  const ns = opts.namespace;
  const image = opts.image ?? ((s: string, v: string) => `${s}:${v}`);
  const versionDef = (v: string) => {
    const d = def.versions.find((x) => x.name === v);
    if (!d) throw usageError('E_ROLLOUT_RENDER', `service ${rollout.service} has no version ${v}`);
    return d;
  };
  const stableReplicas = opts.stableReplicas ?? versionDef(stable).replicas;
  const labels = (v: string) => ({
    'app.kubernetes.io/name': rollout.service,
    'app.kubernetes.io/version': v,
  });
  const deployment = (v: string, replicas: number): Obj => {
    const d = versionDef(v);
    const readiness = probe(def.probes.readiness, port);
    const liveness = probe(def.probes.liveness, port);
    const startup = probe(def.probes.startup, port);
    // Fleet templates ({{port}}, {{mesh.x}}…) have no meaning in a cluster: left out.
    const env = Object.entries(d.env)
      .filter(([, value]) => !value.includes('{{'))
      .map(([name, value]) => ({ name, value }));
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${rollout.service}-${v}`, namespace: ns, labels: labels(v) },
      spec: {
        replicas,
        selector: { matchLabels: labels(v) },
        template: {
          metadata: { labels: labels(v) },
          spec: {
            terminationGracePeriodSeconds: Math.max(1, Math.round(def.stop.graceMs / 1000)),
            containers: [
              {
                name: rollout.service,
                image: image(rollout.service, v),
                ports: [{ name: 'http', containerPort: port }],
                env: [{ name: 'PORT', value: String(port) }, ...env],
                ...(readiness ? { readinessProbe: readiness } : {}),
                ...(liveness ? { livenessProbe: liveness } : {}),
                ...(startup ? { startupProbe: startup } : {}),
              },
            ],
          },
        },
      },
    };
  };
  const service = (name: string, selector: Record<string, string>): Obj => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': rollout.service } },
    spec: { selector, ports: [{ name: 'http', port, targetPort: port, appProtocol: 'http' }] },
  });

  const router = new GatewayApiRouter({
    namespace: ns,
    port,
    routes: mesh.routes.filter((r) => r.service === rollout.service),
    ...(opts.gateway ? { gateway: opts.gateway } : {}),
  });
  const weights = (w: number) => ({ [stable]: 100 - w, [rollout.version]: w });
  void router.setWeights(rollout.service, weights(0));
  const routeLabels = (step: string) => ({ 'shakedown.dev/rollout-step': step });
  const out: RenderedStep[] = [
    {
      step: 'setup',
      description: `${rollout.version} deployed beside ${stable} (no traffic until ready and weighted)`,
      objects: [
        ...(opts.gateway ? [] : [service(rollout.service, { 'app.kubernetes.io/name': rollout.service })]),
        service(`${rollout.service}-${stable}`, labels(stable)),
        service(`${rollout.service}-${rollout.version}`, labels(rollout.version)),
        deployment(rollout.version, rollout.replicas ?? stableReplicas),
        router.route(rollout.service, routeLabels('setup')),
      ],
    },
  ];
  planSteps(rollout).forEach((step: Step, i) => {
    if (step.kind === 'setWeight') void router.setWeights(rollout.service, weights(step.weight));
    if (step.kind === 'setHeaderRoute')
      void router.setHeaderRoute(rollout.service, rollout.version, step.match);
    if (step.kind === 'setMirror') void router.setMirror(rollout.service, rollout.version, step.fraction);
    out.push({
      step: i,
      description: describeStep(step),
      objects: [router.route(rollout.service, routeLabels(String(i + 1)))],
    });
  });
  void router.setWeights(rollout.service, weights(100));
  void router.setHeaderRoute(rollout.service, rollout.version, null);
  void router.setMirror(rollout.service, rollout.version, 0);
  out.push({
    step: 'promoted',
    description: `all traffic on ${rollout.version}; ${stable} scaled to 0 after ${rollout.scaleDownDelayMs / 1000} s`,
    objects: [router.route(rollout.service, routeLabels('promoted')), deployment(stable, 0)],
  });
  return out;
}
