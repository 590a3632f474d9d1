import { describe, expect, it } from 'vitest';
import { meshConfigFromYaml } from '../../../test/helpers/mesh.js';
import { Mesh } from '../../mesh/mesh.js';
import { trafficRouterRegistry } from './registry.js';
import { canMirror, canRouteHeaders } from './router.js';

describe('trafficRouterRegistry', () => {
  it('has the mesh and the Gateway API, each with header routes and mirroring', () => {
    const r = trafficRouterRegistry();
    expect(r.types()).toEqual(['gateway-api', 'mesh']);
    const gw = r.get('gateway-api')({ gatewayApi: { namespace: 'n', port: 80, routes: [] } });
    expect(canRouteHeaders(gw) && canMirror(gw)).toBe(true);
    expect(() => r.get('mesh')({})).toThrow(/needs a mesh/);
  });

  it('the mesh router puts its header route before the spec overrides and restores them and the mirror', async () => {
    const mesh = new Mesh(
      meshConfigFromYaml(
        `
  services:
    shop:
      versions: { v1: { weight: 100, endpoints: ["127.0.0.1:1"] }, v2: { weight: 0 } }
      overrides: [{ header: x-beta, present: true, version: v2 }]
      mirror: { version: v1, percentage: 5% }
`,
        { noAdmin: true },
      ),
    );
    const router = trafficRouterRegistry().get('mesh')({ mesh });
    if (!canRouteHeaders(router) || !canMirror(router)) throw new Error('capabilities expected');
    await router.setWeights('shop', { v1: 80, v2: 20 });
    expect(await router.weights('shop')).toEqual({ v1: 80, v2: 20 });
    await router.setHeaderRoute('shop', 'v2', { header: 'x-canary', equals: '1' });
    await router.setMirror('shop', 'v2', 0.25);
    let st = (await mesh.state()).services[0];
    expect(st?.overrides).toEqual([
      { header: 'x-canary', equals: '1', version: 'v2' },
      { header: 'x-beta', present: true, version: 'v2' },
    ]);
    expect(st?.mirror).toEqual({ version: 'v2', fraction: 0.25 });
    await router.setHeaderRoute('shop', 'v2', null);
    await router.setMirror('shop', 'v2', 0);
    st = (await mesh.state()).services[0];
    expect(st?.overrides).toEqual([{ header: 'x-beta', present: true, version: 'v2' }]);
    expect(st?.mirror).toEqual({ version: 'v1', fraction: 0.05 });
  });
});
