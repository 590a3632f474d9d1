import { Registry } from '../../core/registry.js';
import { diskFillFault } from './disk-fill.js';
import { abortFault } from './mesh-abort.js';
import { bandwidthFault } from './mesh-bandwidth.js';
import { blackholeFault } from './mesh-blackhole.js';
import { downFault } from './mesh-down.js';
import { latencyFault } from './mesh-latency.js';
import { netnsPartitionFault } from './netns-partition.js';
import { partitionFault } from './partition.js';
import { postgresPrimaryKillFault } from './postgres-primary-kill.js';
import { replicaFailureFault } from './replica-failure.js';
import { replicaKillFault } from './replica-kill.js';
import { replicaPauseFault } from './replica-pause.js';
import { cpuStressFault, memoryStressFault } from './stress.js';
import { tcpDownFault } from './tcp-down.js';
import { tcpToxicFault } from './tcp-toxic.js';
import type { FaultType } from './types.js';

/** The built-in chaos faults; the `chaos:` spec schema accepts exactly these types. */
export const builtinChaosFaults: readonly FaultType[] = [
  latencyFault,
  abortFault,
  bandwidthFault,
  blackholeFault,
  downFault,
  tcpToxicFault,
  tcpDownFault,
  replicaKillFault,
  replicaFailureFault,
  replicaPauseFault,
  cpuStressFault,
  memoryStressFault,
  diskFillFault,
  partitionFault,
  netnsPartitionFault,
  postgresPrimaryKillFault,
];

/** Chaos fault types by name; a new one is one file and one line above. */
export function chaosFaultRegistry(types: readonly FaultType[] = builtinChaosFaults): Registry<FaultType> {
  const r = new Registry<FaultType>('chaos fault');
  for (const t of types) r.register(t.type, t);
  return r;
}
