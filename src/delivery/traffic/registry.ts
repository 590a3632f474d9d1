import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { Registry } from '../../core/registry.js';
import type { MeshControl } from '../../mesh/control.js';
import { type GatewayApiOptions, GatewayApiRouter } from '../render/gateway-api.js';
import { MeshTrafficRouter } from './mesh-router.js';
import type { TrafficRouter } from './router.js';

/**
 * Traffic routers by type: `mesh` (Shakedown's own mesh, locally or through its admin API)
 * and `gateway-api` (the state as Gateway API HTTPRoutes, for Kubernetes rendering). A new
 * router (another mesh's API, a cloud load balancer) is one file and one line here.
 */
export interface TrafficRouterContext {
  mesh?: MeshControl;
  gatewayApi?: GatewayApiOptions;
}

export type TrafficRouterFactory = (ctx: TrafficRouterContext) => TrafficRouter;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new ShakedownError('E_ROLLOUT_ROUTER', `this traffic router needs ${what}`, {
      exitCode: ExitCode.usage,
    });
  return value;
}

export function trafficRouterRegistry(): Registry<TrafficRouterFactory> {
  return new Registry<TrafficRouterFactory>('traffic router')
    .register('mesh', (ctx) => new MeshTrafficRouter(need(ctx.mesh, 'a mesh (MeshControl)')))
    .register('gateway-api', (ctx) => new GatewayApiRouter(need(ctx.gatewayApi, 'Gateway API options')));
}
