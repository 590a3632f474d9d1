import type { MeshSection } from '../spec/sections/mesh.js';
import { toFaultSpec } from './faults/schema.js';
import {
  type MeshConfig,
  meshDefaults,
  type PathMatch,
  type RetryConfig,
  type RouteConfig,
  type ServiceConfig,
} from './model.js';

/** Options that override the spec (CLI flags). */
export interface MeshSpecOverrides {
  adminPort?: number;
  adminHost?: string;
  token?: string;
  tokenFile?: string;
  noAdmin?: boolean;
}

/**
 * The spec's `mesh:` section → the {@link MeshConfig} the mesh runs. Defaults: one listener
 * `http` on 127.0.0.1 with a free port; with a single service and no routes, a route
 * `default` sending everything to it.
 */
export function meshConfigFromSpec(m: MeshSection, overrides: MeshSpecOverrides = {}): MeshConfig {
  const services = Object.entries(m.services).map(([name, s]): ServiceConfig => {
    const od = s.outlierDetection;
    const cb = s.circuitBreaker;
    return {
      name,
      loadBalancer: s.loadBalancer,
      connectTimeoutMs: s.connectTimeout,
      idleTimeoutMs: s.idleTimeout,
      versions: Object.entries(s.versions).map(([v, cfg]) => ({
        name: v,
        weight: cfg.weight,
        endpoints: cfg.endpoints,
      })),
      overrides: s.overrides.map((o) => ({
        ...(o.header !== undefined ? { header: o.header.toLowerCase() } : {}),
        ...(o.cookie !== undefined ? { cookie: o.cookie } : {}),
        ...(o.equals !== undefined ? { equals: o.equals } : {}),
        ...(o.matches !== undefined ? { matches: o.matches } : {}),
        ...(o.present !== undefined ? { present: o.present } : {}),
        version: o.version,
      })),
      ...(s.mirror ? { mirror: { version: s.mirror.version, fraction: s.mirror.percentage } } : {}),
      ...(s.healthCheck
        ? {
            healthCheck: {
              path: s.healthCheck.path,
              intervalMs: s.healthCheck.interval,
              timeoutMs: s.healthCheck.timeout,
              healthyThreshold: s.healthCheck.healthyThreshold,
              unhealthyThreshold: s.healthCheck.unhealthyThreshold,
              expect: s.healthCheck.expect,
            },
          }
        : {}),
      outlier:
        od === undefined
          ? { ...meshDefaults.outlier }
          : {
              enabled: od.enabled,
              consecutive5xx: od.consecutive5xx,
              consecutiveConnectErrors: od.consecutiveConnectErrors,
              baseEjectionMs: od.baseEjectionTime,
              maxEjectionMs: od.maxEjectionTime,
              maxEjectionPercent: od.maxEjectionPercent,
            },
      circuitBreaker: cb ? { ...cb } : { ...meshDefaults.circuitBreaker },
    };
  });

  const routes: RouteConfig[] =
    m.routes?.map((r) => {
      const mt = r.match;
      const path: PathMatch =
        mt.path !== undefined
          ? { type: 'exact', value: mt.path }
          : mt.regex !== undefined
            ? { type: 'regex', value: mt.regex }
            : { type: 'prefix', value: mt.prefix ?? '/' };
      return {
        name: r.name,
        listeners: r.listeners,
        service: r.service,
        timeoutMs: r.timeout,
        match: {
          path,
          methods: mt.methods,
          headers: mt.headers.map((h) => ({
            name: h.name.toLowerCase(),
            ...(h.equals !== undefined ? { equals: h.equals } : {}),
            ...(h.matches !== undefined ? { matches: h.matches } : {}),
            ...(h.present !== undefined ? { present: h.present } : {}),
          })),
        },
        retry: retryFrom(r.retries),
      };
    }) ?? defaultRoutes(services);

  const listeners = m.listeners
    ? m.listeners.map((l) => ({
        name: l.name,
        host: l.host,
        port: l.port,
        maxHeaderBytes: l.maxHeaderSize,
        headersTimeoutMs: l.headersTimeout,
        requestTimeoutMs: l.requestTimeout,
        keepAliveTimeoutMs: l.keepAliveTimeout,
      }))
    : [{ name: 'http', ...meshDefaults.listener }];

  return {
    listeners,
    routes,
    services,
    faults: m.faults.map(toFaultSpec),
    admin: {
      enabled: overrides.noAdmin ? false : m.admin.enabled,
      host: overrides.adminHost ?? m.admin.host,
      port: overrides.adminPort ?? m.admin.port,
      ...(overrides.token ? { token: overrides.token } : {}),
      ...((overrides.tokenFile ?? m.admin.tokenFile)
        ? { tokenFile: overrides.tokenFile ?? m.admin.tokenFile }
        : {}),
    },
    drainTimeoutMs: m.drainTimeout,
    allowRemote: m.allowRemote,
    windowMs: meshDefaults.windowMs,
    defaultFaultTtlMs: m.faultTtl,
  };
}

function retryFrom(r: Exclude<MeshSection['routes'], undefined>[number]['retries']): RetryConfig {
  if (r === undefined) return { ...meshDefaults.retry };
  return {
    attempts: r.attempts,
    on: r.on,
    statuses: r.statuses,
    perTryTimeoutMs: r.perTryTimeout,
    backoffBaseMs: r.backoff.base,
    backoffMaxMs: r.backoff.max,
    budgetPercent: r.budget.percent,
    budgetMinConcurrency: r.budget.minConcurrency,
    nonIdempotent: r.nonIdempotent,
    bufferBytes: r.bufferLimit,
  };
}

function defaultRoutes(services: ServiceConfig[]): RouteConfig[] {
  const only = services[0];
  if (services.length !== 1 || !only) return [];
  return [
    {
      name: 'default',
      listeners: [],
      service: only.name,
      timeoutMs: meshDefaults.routeTimeoutMs,
      match: { path: { type: 'prefix', value: '/' }, methods: [], headers: [] },
      retry: { ...meshDefaults.retry },
    },
  ];
}
