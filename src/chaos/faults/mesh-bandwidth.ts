import { sizeBytes } from '../../spec/types.js';
import { meshFault } from './mesh-fault.js';

/** Response bodies limited to a rate (bytes per second). */
export const bandwidthFault = meshFault({
  type: 'bandwidth',
  summary: 'limit response bodies to a rate in bytes per second ("64KiB")',
  shape: { rate: sizeBytes },
  toMesh: (p) => ({ type: 'bandwidth', rate: p.rate }),
});
