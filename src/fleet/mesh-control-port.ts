import { isShakedownError } from '../core/errors.js';
import { endpointAddress, type MeshPort } from './mesh-port.js';

/**
 * The endpoint calls of the mesh's control surface (`MeshControl`: the in-process mesh
 * and its HTTP admin client both have them), as far as the fleet needs them. Declared
 * here by shape so the fleet does not depend on the mesh module.
 */
export interface MeshEndpointControl {
  addEndpoint(service: string, version: string, address: string): Promise<unknown>;
  drainEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts?: { timeoutMs?: number },
  ): Promise<{ inFlight: number }>;
  removeEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts?: { drainTimeoutMs?: number },
  ): Promise<{ inFlightAtRemoval: number }>;
}

/**
 * A {@link MeshPort} over the mesh's control surface. Endpoints are keyed by their
 * `host:port` address, as the mesh keys them. A drain waits for in-flight requests; the
 * removal after it does not wait again (`drainTimeoutMs: 0`); removing an endpoint the
 * mesh does not know (it was never added, or the mesh was reset) is not an error.
 */
export function meshPortFromControl(mesh: MeshEndpointControl): MeshPort {
  return {
    async addEndpoint(service, version, endpoint) {
      await mesh.addEndpoint(service, version, endpointAddress(endpoint));
    },
    async drainEndpoint(service, version, endpoint, timeoutMs) {
      const { inFlight } = await mesh.drainEndpoint(service, version, endpointAddress(endpoint), {
        timeoutMs,
      });
      return { drained: inFlight === 0, inFlight };
    },
    async removeEndpoint(service, version, endpoint) {
      try {
        await mesh.removeEndpoint(service, version, endpointAddress(endpoint), { drainTimeoutMs: 0 });
      } catch (e) {
        if (isShakedownError(e) && /UNKNOWN_ENDPOINT/.test(e.code)) return;
        throw e;
      }
    },
  };
}
