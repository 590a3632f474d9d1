/**
 * The seam between the fleet and the mesh: a replica joins the mesh when it is ready and
 * is drained from it before it stops. The Fleet calls only this interface; the mesh (or
 * anything that routes traffic to replicas) implements it. In the mesh an endpoint is an
 * address `host:port` in a version's cluster (`VersionConfig.endpoints`); every call gets
 * the whole endpoint (replica id, host, port), so an adapter may key endpoints by either
 * and keeps no map of its own ({@link meshPortFromControl} keys by address).
 *
 * Calls for one endpoint come in order: add → (drain →) remove. A replica that dies is
 * removed without a drain (nothing to wait for); one that is stopped on purpose, or stops
 * passing readiness, is drained first.
 */
export interface MeshEndpoint {
  /** The replica id, e.g. `catalog-v1-0`; unique within the fleet. */
  id: string;
  host: string;
  port: number;
}

/** How a drain ended. */
export interface DrainResult {
  /** True when the endpoint's in-flight requests all finished within the timeout. */
  drained: boolean;
  /** Requests still in flight when the drain ended (0 when drained). */
  inFlight: number;
}

export interface MeshPort {
  /** Starts sending `service`'s `version` traffic to the endpoint too. */
  addEndpoint(service: string, version: string, endpoint: MeshEndpoint): Promise<void>;
  /**
   * Sends the endpoint no new requests and resolves when its in-flight requests have
   * finished (idle keep-alive connections closed with `Connection: close`), or after
   * `timeoutMs` with what is left.
   */
  drainEndpoint(
    service: string,
    version: string,
    endpoint: MeshEndpoint,
    timeoutMs: number,
  ): Promise<DrainResult>;
  /** Forgets the endpoint at once; removing one that is not there is not an error. */
  removeEndpoint(service: string, version: string, endpoint: MeshEndpoint): Promise<void>;
}

/** The `host:port` address the mesh knows an endpoint by. */
export function endpointAddress(endpoint: Pick<MeshEndpoint, 'host' | 'port'>): string {
  return endpoint.host.includes(':')
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}
