import { httpChaos, meshFault } from './mesh-fault.js';

/** The service (or version, or route) is down: every request answered 503 by the mesh. */
export const downFault = meshFault({
  type: 'down',
  summary: 'take a service, version or route down: every request answered 503',
  shape: {},
  toMesh: () => ({ type: 'abort', status: 503 }),
  render: (p, r) => httpChaos(p, r, { replace: { code: 503 } }),
});
