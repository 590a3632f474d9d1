import type { RunEvent } from '../core/event.js';
import type { EncodedWindow } from '../core/window.js';
import type { MirrorConfig, OverrideConfig, RetryConfig, RouteMatch } from './model.js';

/**
 * The mesh's control surface, one interface with two implementations: the in-process
 * {@link Mesh} and the HTTP {@link MeshAdminClient} (for other processes), so fleet, chaos
 * and delivery code is written once against either. A contract test suite runs against
 * both. Durations in payloads are ms (numbers) or strings such as "30s"; weights are
 * relative numbers; times in answers are ISO 8601.
 */
export interface MeshControl {
  state(): Promise<MeshState>;
  /** The weights of a service's versions (delivery's TrafficRouter.weights). */
  weights(service: string): Promise<Record<string, number>>;
  /** Sets weights of the versions named; applies from the next request (TrafficRouter.setWeights). */
  setWeights(service: string, weights: Record<string, number>): Promise<void>;
  /**
   * Replaces a service's version overrides and/or its mirror at run time (delivery's header
   * routes and mirroring); a field left out keeps its value, `mirror: null` stops mirroring.
   * Applies from the next request; `reset()` and a reload restore the spec's.
   */
  setRouting(service: string, routing: RoutingRequest): Promise<void>;
  /** Registers an endpoint (`host:port`) in a version, creating the version (weight 0) if new. */
  addEndpoint(service: string, version: string, address: string): Promise<EndpointState>;
  /** Drains an endpoint (in-flight requests finish within the timeout), then removes it. */
  removeEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts?: { drainTimeoutMs?: number },
  ): Promise<{ inFlightAtRemoval: number }>;
  /** Stops sending new requests to an endpoint and waits for the in-flight ones; it stays listed. */
  drainEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts?: { timeoutMs?: number },
  ): Promise<{ inFlight: number }>;
  faults(): Promise<FaultState[]>;
  /** Adds a fault (the `mesh.faults` shape); with `ttl` it removes itself after it. */
  addFault(fault: FaultRequest): Promise<FaultState>;
  removeFault(id: string): Promise<boolean>;
  /**
   * Renews a fault's TTL lease: it now expires `ttlMs` from now. Rejects with
   * E_MESH_UNKNOWN_FAULT when the fault is gone (expired or removed).
   */
  renewFault(id: string, ttlMs: number): Promise<FaultState>;
  /** Removes every fault added at run time; returns how many. */
  clearFaults(): Promise<number>;
  /** Back to the spec: run-time faults removed, weights as configured, ejections forgotten. */
  reset(): Promise<void>;
  /** Per-second windows (encoded) that started at or after `sinceMs`. */
  windows(sinceMs?: number): Promise<EncodedWindow[]>;
  /** Events (`endpoint.ejected`, `fault.expired`, …) at or after `sinceMs`. */
  events(sinceMs?: number): Promise<RunEvent[]>;
}

/** Run-time routing of a service: version overrides (header / cookie) and mirroring. */
export interface RoutingRequest {
  /** First match wins, whatever the weights; replaces the service's list (`[]`: none). */
  overrides?: OverrideConfig[];
  /** Copy a share of requests to a version (responses dropped); null: stop mirroring. */
  mirror?: { version: string; percentage?: number | string } | null;
}

/** A fault as written in the spec's `mesh.faults` or posted to the admin API. */
export interface FaultRequest {
  type: string;
  id?: string;
  route?: string;
  service?: string;
  version?: string;
  /** Share of matching requests, 0–1 or "5%"; default 1. */
  percentage?: number | string;
  /** Only requests with this header (and value) are affected. */
  header?: string | { name: string; equals?: string };
  /** Removes itself after this ("2s", or ms); default: the mesh's default fault TTL; 0: never. */
  ttl?: number | string;
  [param: string]: unknown;
}

export interface FaultState {
  id: string;
  type: string;
  route?: string;
  service?: string;
  version?: string;
  percentage: number;
  header?: { name: string; equals?: string };
  source: 'spec' | 'runtime';
  createdAt: string;
  expiresAt: string | null;
  hits: number;
  /** Type-specific parameters, durations in ms and rates in bytes per second. */
  [param: string]: unknown;
}

export interface EndpointState {
  id: string;
  address: string;
  source: 'spec' | 'runtime';
  /** `ejected` and `unhealthy` endpoints get no traffic; `draining` ones get no new requests. */
  state: 'active' | 'draining' | 'ejected' | 'unhealthy';
  healthy: boolean;
  ejectedUntil: string | null;
  inFlight: number;
  attempts: number;
  connectErrors: number;
  ejections: number;
}

export interface VersionState {
  version: string;
  weight: number;
  endpoints: EndpointState[];
  activeRequests: number;
  attemptsInFlight: number;
  pending: number;
  activeRetries: number;
  overflows: { 'max-requests': number; 'max-pending': number };
  mirrored: number;
}

export interface ServiceState {
  name: string;
  loadBalancer: string;
  weights: Record<string, number>;
  versions: VersionState[];
  overrides: OverrideConfig[];
  mirror: MirrorConfig | null;
}

export interface RouteState {
  name: string;
  service: string;
  listeners: string[];
  match: RouteMatch;
  timeoutMs: number;
  retry: RetryConfig;
}

export interface ListenerState {
  name: string;
  url: string;
  draining: boolean;
}

export interface MeshState {
  startedAt: string | null;
  listeners: ListenerState[];
  routes: RouteState[];
  services: ServiceState[];
  faults: FaultState[];
  admin: { url: string } | null;
  /** State of extension planes (e.g. `tcp`), by name. */
  planes: Record<string, unknown>;
}
