import { sizeBytes } from '../../spec/types.js';
import { meshFault } from './mesh-fault.js';

/** Response bodies limited to a rate (bytes per second). */
export const bandwidthFault = meshFault({
  type: 'bandwidth',
  summary: 'limit response bodies to a rate in bytes per second ("64KiB")',
  shape: { rate: sizeBytes },
  toMesh: (p) => ({ type: 'bandwidth', rate: p.rate }),
  render: (p, r) =>
    p.service
      ? [
          {
            apiVersion: 'chaos-mesh.org/v1alpha1',
            kind: 'NetworkChaos',
            metadata: { name: r.name, namespace: r.namespace },
            spec: {
              action: 'bandwidth',
              mode: 'all',
              selector: { namespaces: [r.namespace], labelSelectors: r.selectorOf(p.service, p.version) },
              direction: 'to',
              bandwidth: {
                rate: `${Math.max(1, Math.round((p.rate * 8) / 1000))}kbps`,
                limit: 20_971_520,
                buffer: 10_000,
              },
              ...(r.duration ? { duration: r.duration } : {}),
            },
          },
        ]
      : [],
});
