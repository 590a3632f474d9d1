import { Registry } from '../../core/registry.js';
import { LeastRequestBalancer } from './least-request.js';
import { RoundRobinBalancer } from './round-robin.js';
import type { BalancerFactory } from './types.js';

/** Load-balancing policies by name; a new one is one file and one line here. */
export function balancerRegistry(): Registry<BalancerFactory> {
  return new Registry<BalancerFactory>('load balancer')
    .register('round-robin', () => new RoundRobinBalancer())
    .register('least-request', (random) => new LeastRequestBalancer(random));
}
