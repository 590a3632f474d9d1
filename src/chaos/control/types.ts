import type { RunEvent } from '../../core/event.js';
import type { EncodedWindow, Window } from '../../core/window.js';
import type { ReplicaStatus, ServiceStatus } from '../../fleet/status.js';
import type { MeshControl } from '../../mesh/control.js';
import type { TcpProxyState, ToxicInput } from '../../mesh/tcp/index.js';

/**
 * What chaos acts on: the platform's public control surfaces — the mesh (MeshControl),
 * the fleet and the TCP listeners — in process (a platform the experiment started) or
 * over the admin API (a `shakedown up` or `shakedown mesh` in another process). Faults are
 * written once against these ports.
 */
export interface FleetControl {
  list(): Promise<ServiceStatus[]>;
  kill(replica: string, signal?: NodeJS.Signals): Promise<ReplicaStatus>;
  /** SIGSTOP with a lease: resumed by the fleet after `ttlMs` unless paused (renewed) again. */
  pause(replica: string, ttlMs: number): Promise<ReplicaStatus>;
  resume(replica: string): Promise<ReplicaStatus>;
  /** Down for `durationMs` (SIGKILL, not restarted meanwhile), then started again. */
  fail(replica: string, durationMs: number): Promise<ReplicaStatus>;
  recover(replica: string): Promise<ReplicaStatus>;
  scale(service: string, replicas: number, version?: string): Promise<ServiceStatus>;
}

export interface TcpControl {
  listeners(): Promise<TcpProxyState[]>;
  addToxic(listener: string, toxic: ToxicInput, ttlMs: number): Promise<void>;
  renewToxic(listener: string, name: string, ttlMs: number): Promise<boolean>;
  removeToxic(listener: string, name: string): Promise<boolean>;
  /** Down with a lease: up again after `ttlMs` unless disabled (renewed) again. */
  disable(listener: string, ttlMs: number): Promise<void>;
  enable(listener: string): Promise<void>;
  setUpstream(listener: string, address: string): Promise<void>;
}

/** The platform's surfaces, whichever exist. */
export interface ChaosControls {
  mesh: MeshControl | undefined;
  fleet: FleetControl | undefined;
  tcp: TcpControl | undefined;
  /** Base URL of a mesh HTTP listener (default: the first). */
  listenerUrl(name?: string): string | undefined;
  /** How another process reaches the same controls (for the journal and `chaos stop`). */
  remote: { adminUrl: string; tokenFile: string } | undefined;
  /** Windows of the mesh as they finish (in process: pushed; remote: polled). */
  subscribeMeshWindows(write: (windows: Window[]) => void): () => void;
  /** Events of the mesh, fleet and TCP listeners as they happen. */
  subscribeEvents(emit: (event: RunEvent) => void): () => void;
  close(): Promise<void>;
}

/** Decodes polled windows (remote mesh). */
export type WindowDecoder = (w: EncodedWindow) => Window;
