import { describe, expect, it } from 'vitest';
import { ShakedownError } from '../core/errors.js';
import { type MeshEndpointControl, meshPortFromControl } from './mesh-control-port.js';
import { endpointAddress } from './mesh-port.js';

// The mesh itself is built on another branch; this records the calls the adapter makes
// on the mesh's control surface (same method shapes as MeshControl) and answers like it.
class ControlRecorder implements MeshEndpointControl {
  calls: unknown[][] = [];
  inFlight = 0;
  known = new Set<string>();
  async addEndpoint(service: string, version: string, address: string) {
    this.calls.push(['add', service, version, address]);
    this.known.add(address);
    return { id: address, address };
  }
  async drainEndpoint(service: string, version: string, endpoint: string, opts?: { timeoutMs?: number }) {
    this.calls.push(['drain', service, version, endpoint, opts]);
    return { inFlight: this.inFlight };
  }
  async removeEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts?: { drainTimeoutMs?: number },
  ) {
    this.calls.push(['remove', service, version, endpoint, opts]);
    if (!this.known.delete(endpoint))
      throw new ShakedownError('E_MESH_UNKNOWN_ENDPOINT', `no endpoint ${endpoint} in ${service}/${version}`);
    return { inFlightAtRemoval: 0 };
  }
}

const ep = { id: 'catalog-v1-0', host: '127.0.0.1', port: 4100 };

describe('meshPortFromControl', () => {
  it('keys endpoints by host:port and passes the drain timeout', async () => {
    const control = new ControlRecorder();
    const port = meshPortFromControl(control);
    await port.addEndpoint('catalog', 'v1', ep);
    expect(await port.drainEndpoint('catalog', 'v1', ep, 1500)).toEqual({ drained: true, inFlight: 0 });
    await port.removeEndpoint('catalog', 'v1', ep);
    expect(control.calls).toEqual([
      ['add', 'catalog', 'v1', '127.0.0.1:4100'],
      ['drain', 'catalog', 'v1', '127.0.0.1:4100', { timeoutMs: 1500 }],
      ['remove', 'catalog', 'v1', '127.0.0.1:4100', { drainTimeoutMs: 0 }],
    ]);
  });

  it('reports a drain that timed out with requests left', async () => {
    const control = new ControlRecorder();
    control.inFlight = 3;
    expect(await meshPortFromControl(control).drainEndpoint('catalog', 'v1', ep, 10)).toEqual({
      drained: false,
      inFlight: 3,
    });
  });

  it('treats removing an unknown endpoint as done, other errors not', async () => {
    const control = new ControlRecorder();
    await expect(meshPortFromControl(control).removeEndpoint('catalog', 'v1', ep)).resolves.toBeUndefined();
    control.removeEndpoint = async () => {
      throw new ShakedownError('E_MESH_UNKNOWN_SERVICE', 'no service "catalog"');
    };
    await expect(meshPortFromControl(control).removeEndpoint('catalog', 'v1', ep)).rejects.toThrow(
      'no service',
    );
  });

  it('brackets IPv6 hosts', () => {
    expect(endpointAddress({ host: '::1', port: 80 })).toBe('[::1]:80');
    expect(endpointAddress({ host: '127.0.0.1', port: 80 })).toBe('127.0.0.1:80');
  });
});
