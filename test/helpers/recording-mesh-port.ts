import type { DrainResult, MeshEndpoint, MeshPort } from '../../src/fleet/mesh-port.js';

/**
 * A {@link MeshPort} that routes nothing and records every call in order, with the
 * endpoints currently joined. For running a fleet without a mesh where the calls still
 * matter (tests of the seam; `shakedown up` before a mesh is configured, where `joined`
 * is what the status shows). Drains resolve at once: there is no traffic to wait for.
 */
export class RecordingMeshPort implements MeshPort {
  readonly calls: Array<{ op: 'add' | 'drain' | 'remove'; service: string; version: string; id: string }> =
    [];
  private readonly endpoints = new Map<string, MeshEndpoint & { service: string; version: string }>();

  async addEndpoint(service: string, version: string, endpoint: MeshEndpoint): Promise<void> {
    this.calls.push({ op: 'add', service, version, id: endpoint.id });
    this.endpoints.set(endpoint.id, { ...endpoint, service, version });
  }

  async drainEndpoint(service: string, version: string, id: string): Promise<DrainResult> {
    this.calls.push({ op: 'drain', service, version, id });
    return { drained: true, inFlight: 0 };
  }

  async removeEndpoint(service: string, version: string, id: string): Promise<void> {
    this.calls.push({ op: 'remove', service, version, id });
    this.endpoints.delete(id);
  }

  /** Endpoints joined now, optionally of one service. */
  joined(service?: string): Array<MeshEndpoint & { service: string; version: string }> {
    return [...this.endpoints.values()].filter((e) => service === undefined || e.service === service);
  }
}
