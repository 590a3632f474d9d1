/**
 * TCP listeners with Toxiproxy's toxics: the part of the mesh that databases and other TCP
 * peers sit behind. See "TCP listeners and toxics" in the README.
 */
export type { TcpConnectionInfo } from './connection.js';
export { createToxicRegistry } from './core/registry.js';
export { drawToxicity } from './core/toxicity.js';
export {
  type Chunk,
  type DataIntegrity,
  defineToxic,
  type StageContext,
  type StageOutput,
  type Stream,
  streams,
  type ToxicStage,
  type ToxicType,
} from './core/types.js';
export { startTcpListeners, tcpProxyOptionsFromSpec } from './from-spec.js';
export { formatHostPort, type HostPort, parseHostPort } from './host-port.js';
export { TcpProxy } from './proxy.js';
export type { TcpProxyOptions, TcpProxyState, TcpProxyStats, UpstreamChangePolicy } from './proxy-options.js';
export {
  type TcpListenerSpec,
  type TcpToxicSpec,
  tcpListenerSchema,
  tcpToxicSchema,
  toxicSchema,
} from './schema.js';
export type { ToxicInfo, ToxicInput, ToxicRemovalReason } from './toxic-collection.js';
