import type { CompiledRoute } from './match.js';
import type { RetryConfig, RouteConfig } from './model.js';
import type { Service } from './service.js';

/** A route as the listeners serve it: compiled matcher, its service, stable stats index. */
export interface RouteRuntime {
  /** Stable per route name across reconfigurations (addresses per-route statistics). */
  readonly index: number;
  readonly config: RouteConfig;
  readonly compiled: CompiledRoute;
  readonly service: Service;
  /** The policy mirrored copies are sent with: one attempt, bounded by the route timeout. */
  readonly mirrorRetry: RetryConfig;
}

/** The first route of `routes` that matches. */
export function matchRoute(
  routes: readonly RouteRuntime[],
  method: string,
  url: string,
  rawHeaders: readonly string[],
): RouteRuntime | undefined {
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i] as RouteRuntime;
    if (r.compiled.matches(method, url, rawHeaders)) return r;
  }
  return undefined;
}
