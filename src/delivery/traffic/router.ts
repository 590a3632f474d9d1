import type { HeaderRoute } from '../model.js';

/**
 * How a rollout moves traffic (DESIGN.md's TrafficRouter): weights between a service's
 * versions, plus optional capabilities detected by type guards — header routes (requests
 * matching a header or cookie go to a version whatever the weights) and mirroring (a
 * share of requests copied to a version, responses dropped). Implementations: the mesh
 * (locally, through MeshControl) and the Gateway API (HTTPRoutes for Kubernetes).
 */
export interface TrafficRouter {
  readonly type: string;
  /** Weights in percent of the versions named; the others keep theirs. Applies from the next request. */
  setWeights(service: string, weights: Record<string, number>): Promise<void>;
  weights(service: string): Promise<Record<string, number>>;
}

export interface HeaderRouting {
  /** Routes requests matching `match` to `version`; null removes the rollout's header route. */
  setHeaderRoute(service: string, version: string, match: HeaderRoute | null): Promise<void>;
}

export interface Mirroring {
  /** Copies `fraction` of the service's requests to `version`; 0 stops. */
  setMirror(service: string, version: string, fraction: number): Promise<void>;
}

export function canRouteHeaders(r: TrafficRouter): r is TrafficRouter & HeaderRouting {
  return typeof (r as Partial<HeaderRouting>).setHeaderRoute === 'function';
}

export function canMirror(r: TrafficRouter): r is TrafficRouter & Mirroring {
  return typeof (r as Partial<Mirroring>).setMirror === 'function';
}
