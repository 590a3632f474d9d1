import { Registry } from '../../../core/registry.js';
import { bandwidthToxic } from '../toxics/bandwidth.js';
import { latencyToxic } from '../toxics/latency.js';
import { limitDataToxic } from '../toxics/limit-data.js';
import { resetPeerToxic } from '../toxics/reset-peer.js';
import { slicerToxic } from '../toxics/slicer.js';
import { slowCloseToxic } from '../toxics/slow-close.js';
import { timeoutToxic } from '../toxics/timeout.js';
import type { ToxicType } from './types.js';

/**
 * The toxic types of the TCP proxy, keyed by Toxiproxy's type names. `down` is not a toxic
 * (in Toxiproxy neither): it is the listener's `enabled` state. Adding a toxic is one file
 * in `toxics/`, one `register` line here and one test; the spec schema, the contract test
 * and the docs pick it up from the registry.
 */
export function createToxicRegistry(): Registry<ToxicType> {
  return new Registry<ToxicType>('tcp toxic')
    .register(latencyToxic.type, latencyToxic as ToxicType)
    .register(bandwidthToxic.type, bandwidthToxic as ToxicType)
    .register(slowCloseToxic.type, slowCloseToxic as ToxicType)
    .register(timeoutToxic.type, timeoutToxic as ToxicType)
    .register(resetPeerToxic.type, resetPeerToxic as ToxicType)
    .register(slicerToxic.type, slicerToxic as ToxicType)
    .register(limitDataToxic.type, limitDataToxic as ToxicType);
}
