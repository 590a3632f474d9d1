import type { RouteConfig } from '../../mesh/model.js';
import type { HeaderRoute } from '../model.js';
import type { HeaderRouting, Mirroring, TrafficRouter } from '../traffic/router.js';

/**
 * The Kubernetes traffic router: the state of a service's traffic as a Gateway API
 * HTTPRoute (gateway.networking.k8s.io/v1) — the mesh-neutral way to split traffic by
 * weight that Istio, Linkerd, Envoy Gateway and others implement. Each version is a
 * Kubernetes Service `<service>-<version>`; the route's parent is the service's own
 * Service (the GAMMA pattern for east-west traffic) or a Gateway. A header route becomes a
 * rule in front whose matches send to the new version only; a mirror a RequestMirror
 * filter with `percent`. `route()` renders the current state; a rollout rendered step by
 * step applies its steps here and snapshots each.
 */
export interface GatewayApiOptions {
  namespace: string;
  /** Parent: a Gateway by name, or (default) the service's own Service (GAMMA). */
  gateway?: { name: string; namespace?: string; sectionName?: string };
  /** Port of the per-version Services. */
  port: number;
  /** The mesh's routes to the service, turned into HTTPRoute matches (default: all paths). */
  routes: readonly RouteConfig[];
}

type Match = Record<string, unknown>;

interface ServiceTraffic {
  weights: Record<string, number>;
  header: { version: string; match: HeaderRoute } | null;
  mirror: { version: string; fraction: number } | null;
}

export class GatewayApiRouter implements TrafficRouter, HeaderRouting, Mirroring {
  readonly type = 'gateway-api';
  private readonly state = new Map<string, ServiceTraffic>();

  constructor(private readonly options: GatewayApiOptions) {}

  async setWeights(service: string, weights: Record<string, number>): Promise<void> {
    const s = this.of(service);
    s.weights = { ...s.weights, ...weights };
  }

  async weights(service: string): Promise<Record<string, number>> {
    return { ...this.of(service).weights };
  }

  async setHeaderRoute(service: string, version: string, match: HeaderRoute | null): Promise<void> {
    this.of(service).header = match ? { version, match } : null;
  }

  async setMirror(service: string, version: string, fraction: number): Promise<void> {
    this.of(service).mirror = fraction > 0 ? { version, fraction } : null;
  }

  /** The HTTPRoute of a service's current traffic. */
  route(service: string, labels: Record<string, string> = {}): Record<string, unknown> {
    const s = this.of(service);
    const o = this.options;
    const backend = (version: string, weight?: number) => ({
      name: `${service}-${version}`,
      port: o.port,
      ...(weight !== undefined ? { weight: Math.round(weight) } : {}),
    });
    const matches = this.matches();
    const weighted = Object.entries(s.weights).filter(([, w]) => w > 0);
    const backends = (weighted.length ? weighted : Object.entries(s.weights).slice(0, 1)).map(([v, w]) =>
      backend(v, w),
    );
    const filters = s.mirror
      ? [
          {
            type: 'RequestMirror',
            requestMirror: {
              backendRef: backend(s.mirror.version),
              percent: Math.round(s.mirror.fraction * 100),
            },
          },
        ]
      : [];
    const rules: Record<string, unknown>[] = [];
    if (s.header) {
      const h = headerMatch(s.header.match);
      rules.push({
        matches: (matches.length ? matches : [{}]).map((m) => ({
          ...m,
          headers: [...((m.headers as Match[]) ?? []), h],
        })),
        backendRefs: [backend(s.header.version, 100)],
      });
    }
    rules.push({
      ...(matches.length ? { matches } : {}),
      ...(filters.length ? { filters } : {}),
      backendRefs: backends,
    });
    return {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: service,
        namespace: o.namespace,
        labels: { 'app.kubernetes.io/name': service, ...labels },
      },
      spec: {
        parentRefs: [
          o.gateway
            ? {
                group: 'gateway.networking.k8s.io',
                kind: 'Gateway',
                name: o.gateway.name,
                ...(o.gateway.namespace ? { namespace: o.gateway.namespace } : {}),
                ...(o.gateway.sectionName ? { sectionName: o.gateway.sectionName } : {}),
              }
            : { group: '', kind: 'Service', name: service, port: o.port },
        ],
        rules,
      },
    };
  }

  private matches(): Match[] {
    const out: Match[] = [];
    for (const r of this.options.routes) {
      const m = r.match;
      const path =
        m.path.type === 'prefix'
          ? m.path.value === '/'
            ? undefined
            : { type: 'PathPrefix', value: m.path.value }
          : m.path.type === 'exact'
            ? { type: 'Exact', value: m.path.value }
            : { type: 'RegularExpression', value: `^${m.path.value}$` };
      // The Gateway API cannot match an absent header: such conditions are left out.
      const headers = m.headers.filter((h) => h.present !== false).map((h) => headerMatch(h));
      const base: Match = { ...(path ? { path } : {}), ...(headers.length ? { headers } : {}) };
      if (m.methods.length) for (const method of m.methods) out.push({ ...base, method });
      else out.push(base);
    }
    return out.slice(0, 64);
  }

  private of(service: string): ServiceTraffic {
    let s = this.state.get(service);
    if (!s) {
      s = { weights: {}, header: null, mirror: null };
      this.state.set(service, s);
    }
    return s;
  }
}

/** A header (or cookie) match; cookies become a regular expression on the Cookie header. */
function headerMatch(h: {
  header?: string;
  name?: string;
  cookie?: string;
  equals?: string;
  matches?: string;
  present?: boolean;
}): Match {
  if (h.cookie !== undefined) {
    const value = h.equals !== undefined ? escapeRe(h.equals) : h.matches !== undefined ? h.matches : '[^;]*';
    return {
      type: 'RegularExpression',
      name: 'Cookie',
      value: `(^|.*; )${escapeRe(h.cookie)}=${value}(;.*|$)`,
    };
  }
  const name = (h.header ?? h.name) as string;
  if (h.equals !== undefined) return { type: 'Exact', name, value: h.equals };
  if (h.matches !== undefined) return { type: 'RegularExpression', name, value: `^${h.matches}$` };
  return { type: 'RegularExpression', name, value: '.*' };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
