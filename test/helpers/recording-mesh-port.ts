import type { DrainResult, MeshEndpoint, MeshPort } from '../../src/fleet/mesh-port.js';

/**
 * A MeshPort that routes nothing and records every call in order, with the
 * endpoints currently joined: a test double for the mesh (built on another branch), for
 * tests of the order of the fleet's calls. Drains resolve at once: no traffic here.
 */
export class RecordingMeshPort implements MeshPort {
  readonly calls: Array<{ op: 'add' | 'drain' | 'remove'; service: string; version: string; id: string }> =
    [];
  private readonly endpoints = new Map<string, MeshEndpoint & { service: string; version: string }>();

  async addEndpoint(service: string, version: string, endpoint: MeshEndpoint): Promise<void> {
    this.calls.push({ op: 'add', service, version, id: endpoint.id });
    this.endpoints.set(endpoint.id, { ...endpoint, service, version });
  }

  async drainEndpoint(service: string, version: string, endpoint: MeshEndpoint): Promise<DrainResult> {
    this.calls.push({ op: 'drain', service, version, id: endpoint.id });
    return { drained: true, inFlight: 0 };
  }

  async removeEndpoint(service: string, version: string, endpoint: MeshEndpoint): Promise<void> {
    this.calls.push({ op: 'remove', service, version, id: endpoint.id });
    this.endpoints.delete(endpoint.id);
  }

  /** Endpoints joined now, optionally of one service. */
  joined(service?: string): Array<MeshEndpoint & { service: string; version: string }> {
    return [...this.endpoints.values()].filter((e) => service === undefined || e.service === service);
  }
}
