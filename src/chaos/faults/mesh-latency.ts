import { durationMs } from '../../spec/types.js';
import { httpChaos, meshFault } from './mesh-fault.js';

/** Added latency (± uniform jitter) before requests are forwarded. */
export const latencyFault = meshFault({
  type: 'latency',
  summary: 'add latency (± jitter) to requests of a route, service or version',
  shape: { latency: durationMs, jitter: durationMs.optional() },
  toMesh: (p) => ({ type: 'delay', delay: p.latency, ...(p.jitter ? { jitter: p.jitter } : {}) }),
  render: (p, r) => httpChaos(p, r, { delay: `${Math.round(p.latency)}ms` }),
});
