/**
 * The normalized, serializable description of a mesh: what the spec's `mesh:` section turns
 * into and what {@link Mesh} runs. Units are in the names; every default is filled in by
 * `meshConfigFromSpec` (or {@link meshDefaults} for code that builds configs by hand).
 */

export interface ListenerConfig {
  name: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Request line plus headers larger than this get a 400 and the connection closed. */
  maxHeaderBytes: number;
  /** A client must send its complete headers within this (slowloris guard); 408 otherwise. */
  headersTimeoutMs: number;
  /** A client must send its whole request, body included, within this; 408 otherwise. */
  requestTimeoutMs: number;
  /** Idle keep-alive connections from clients are closed after this. */
  keepAliveTimeoutMs: number;
}

export type PathMatch =
  | { type: 'prefix'; value: string }
  | { type: 'exact'; value: string }
  | { type: 'regex'; value: string };

/** A header condition; exactly one of `equals`, `matches`, `present` applies (present: true by default). */
export interface HeaderMatch {
  /** Lower-case header name. */
  name: string;
  equals?: string;
  /** Regular expression source, tested against the whole value. */
  matches?: string;
  /** True: must be present; false: must be absent. */
  present?: boolean;
}

export interface RouteMatch {
  path: PathMatch;
  /** Upper-case methods; empty means any. */
  methods: string[];
  headers: HeaderMatch[];
}

/** When an attempt may be retried (Envoy's `retry_on` names). */
export const retryOnValues = [
  'connect-failure',
  'reset',
  'timeout',
  '5xx',
  'gateway-error',
  'retriable-status',
] as const;
export type RetryOn = (typeof retryOnValues)[number];

export interface RetryConfig {
  /** Retries after the first attempt; 0 disables retries. */
  attempts: number;
  on: RetryOn[];
  /** Statuses retried with `retriable-status`. */
  statuses: number[];
  /** Each attempt must get its response headers within this; 0: only the overall timeout. */
  perTryTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Concurrent retries may be at most this share of the cluster's active requests… */
  budgetPercent: number;
  /** …but at least this many (Envoy's retry budget). */
  budgetMinConcurrency: number;
  /** Retry methods that are not idempotent (POST, PATCH) too. */
  nonIdempotent: boolean;
  /** Request bodies up to this size (by Content-Length) are buffered so they can be replayed. */
  bufferBytes: number;
}

export interface RouteConfig {
  name: string;
  /** Listener names this route is served on; empty means all. */
  listeners: string[];
  match: RouteMatch;
  service: string;
  /** The whole exchange, retries included, must finish within this; 504 otherwise. 0: none. */
  timeoutMs: number;
  retry: RetryConfig;
}

export interface VersionConfig {
  name: string;
  /** Relative weight; 0 gets no traffic except by override. */
  weight: number;
  /** `host:port` addresses. */
  endpoints: string[];
}

/** Sends matching requests to `version` whatever the weights say (A/B, "x-canary: 1"). */
export interface OverrideConfig {
  /** Lower-case header name, or… */
  header?: string;
  /** …a cookie name. */
  cookie?: string;
  equals?: string;
  matches?: string;
  present?: boolean;
  version: string;
}

export interface MirrorConfig {
  version: string;
  /** Share of requests copied, in [0, 1]. */
  fraction: number;
}

export interface HealthCheckConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Healthy statuses; empty means 200–399. */
  expect: number[];
}

export interface OutlierConfig {
  enabled: boolean;
  /** Consecutive 5xx responses that eject an endpoint; 0 disables. */
  consecutive5xx: number;
  /** Consecutive connect failures, resets and timeouts that eject an endpoint; 0 disables. */
  consecutiveConnectErrors: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  /** At most this share of a cluster is ejected at once (at least one endpoint always may be). */
  maxEjectionPercent: number;
}

export interface CircuitBreakerConfig {
  /** Upstream connections per endpoint (the size of its keep-alive pool). */
  maxConnections: number;
  /** Requests of a cluster waiting for a connection. */
  maxPending: number;
  /** Requests of a cluster in flight. */
  maxRequests: number;
}

export interface ServiceConfig {
  name: string;
  loadBalancer: string;
  versions: VersionConfig[];
  overrides: OverrideConfig[];
  mirror?: MirrorConfig;
  healthCheck?: HealthCheckConfig;
  outlier: OutlierConfig;
  circuitBreaker: CircuitBreakerConfig;
  connectTimeoutMs: number;
  /** Idle upstream keep-alive connections are closed after this. */
  idleTimeoutMs: number;
}

/** Which traffic a fault applies to; absent fields match everything. */
export interface FaultTarget {
  route?: string;
  service?: string;
  version?: string;
}

/** A fault as users write it (spec or admin API); `type` picks the fault filter. */
export interface FaultSpec {
  id?: string;
  type: string;
  target: FaultTarget;
  /** Share of matching requests affected, in [0, 1]. */
  percentage: number;
  /** Only requests carrying this header (with this value, if given) are affected. */
  header?: { name: string; equals?: string };
  /** The fault removes itself after this; 0 or absent: never (spec faults). */
  ttlMs?: number;
  /** Type-specific parameters, validated by the fault type. */
  params: Record<string, unknown>;
}

export interface AdminConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** Bearer token; generated when absent. */
  token?: string;
  /** Where a generated token is written (mode 0600); a private temp dir when absent. */
  tokenFile?: string;
}

export interface MeshConfig {
  listeners: ListenerConfig[];
  routes: RouteConfig[];
  services: ServiceConfig[];
  faults: FaultSpec[];
  admin: AdminConfig;
  /** How long a stopping mesh (or a removed listener) waits for in-flight requests. */
  drainTimeoutMs: number;
  /** Endpoints must be loopback addresses unless this is set. */
  allowRemote: boolean;
  /** Length of the per-second traffic windows. */
  windowMs: number;
  /** Default TTL of faults added at run time without one. */
  defaultFaultTtlMs: number;
}

/** Defaults shared by the spec conversion and code that builds configs by hand. */
export const meshDefaults = {
  listener: {
    host: '127.0.0.1',
    port: 0,
    maxHeaderBytes: 16 * 1024,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
  },
  retry: {
    attempts: 2,
    on: ['connect-failure', 'reset'] as RetryOn[],
    statuses: [] as number[],
    perTryTimeoutMs: 0,
    backoffBaseMs: 25,
    backoffMaxMs: 250,
    budgetPercent: 0.2,
    budgetMinConcurrency: 10,
    nonIdempotent: false,
    bufferBytes: 64 * 1024,
  } satisfies RetryConfig,
  routeTimeoutMs: 15_000,
  outlier: {
    enabled: true,
    consecutive5xx: 5,
    consecutiveConnectErrors: 5,
    baseEjectionMs: 30_000,
    maxEjectionMs: 300_000,
    maxEjectionPercent: 0.1,
  } satisfies OutlierConfig,
  circuitBreaker: {
    maxConnections: 1024,
    maxPending: 1024,
    maxRequests: 1024,
  } satisfies CircuitBreakerConfig,
  connectTimeoutMs: 1_000,
  idleTimeoutMs: 4_000,
  healthCheck: { intervalMs: 5_000, timeoutMs: 1_000, healthyThreshold: 2, unhealthyThreshold: 2 },
  drainTimeoutMs: 30_000,
  windowMs: 1_000,
  defaultFaultTtlMs: 600_000,
} as const;
