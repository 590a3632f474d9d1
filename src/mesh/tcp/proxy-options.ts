import type { Clock } from '../../core/clock.js';
import type { EventSink } from '../../core/event.js';
import type { Random } from '../../core/random.js';
import type { Registry } from '../../core/registry.js';
import type { ToxicType } from './core/types.js';
import type { HostPort } from './host-port.js';
import type { ToxicInfo } from './toxic-collection.js';

/** The options and reports of a TCP listener ({@link TcpProxy} in `proxy.ts`). */

/** What happens to open connections when the upstream is repointed. */
export type UpstreamChangePolicy = 'close' | 'keep' | 'reset';

/** Options of a {@link TcpProxy}. */
export interface TcpProxyOptions {
  /** Names the listener in events, metrics and the admin API. */
  name: string;
  /** Default `127.0.0.1:0` (a free port). */
  listen?: string | number | HostPort;
  upstream: string | number | HostPort;
  /** `false` starts it down (Toxiproxy's `enabled`). Default true. */
  enabled?: boolean;
  /** Default `close` (as Toxiproxy, which drops connections when the upstream changes). */
  onUpstreamChange?: UpstreamChangePolicy;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Bytes one direction of a connection may hold before reading pauses. Default 1 MiB. */
  highWaterMarkBytes?: number;
  /** Connections beyond this are closed at once. Default 10,000. */
  maxConnections?: number;
  /** How long closing waits for peers before destroying sockets. Default 1 s. */
  closeGraceMs?: number;
  /** Allow a non-loopback listen address or upstream. Default false (safe by default). */
  allowRemote?: boolean;
  clock?: Clock;
  random?: Random;
  /** Toxic types; default {@link createToxicRegistry}. */
  registry?: Registry<ToxicType>;
  /** Receives `mesh.tcp.*` events: toxics added / removed, down / up, upstream changed. */
  events?: EventSink;
}

/** Counters of a listener since it started. */
export interface TcpProxyStats {
  connectionsActive: number;
  connectionsTotal: number;
  /** Upstream connections that failed or timed out. */
  connectErrors: number;
  /** Connections closed at once because `maxConnections` were open. */
  connectionsRejected: number;
  /** client → server bytes: read from clients, written to the upstream. */
  upstream: { receivedBytes: number; sentBytes: number };
  /** server → client bytes: read from the upstream, written to clients. */
  downstream: { receivedBytes: number; sentBytes: number };
}

/** The state of a listener, for the admin API. */
export interface TcpProxyState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicInfo[];
  stats: TcpProxyStats;
}
