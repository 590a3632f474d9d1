import { httpChaos, meshFault } from './mesh-fault.js';

/**
 * A black hole: requests are held and never forwarded, so callers see the route's timeout
 * (504) — what a network that drops packets looks like to an HTTP client. Implemented as
 * a delay as long as the fault's TTL: the route timeout always fires first.
 */
export const blackholeFault = meshFault({
  type: 'blackhole',
  summary: 'hold requests without forwarding them: callers get the route timeout (504)',
  shape: {},
  toMesh: (_p, _ctx, instance) => ({ type: 'delay', delay: Math.max(instance.ttlMs, 1000) }),
  render: (p, r) => httpChaos(p, r, { delay: '1h' }),
});
