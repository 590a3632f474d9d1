import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.js';
import { meshConfigFromSpec } from '../../mesh/from-spec.js';
import { Mesh } from '../../mesh/mesh.js';
import { parseSpecText } from '../../spec/load-spec.js';
import { DatabaseRegistry } from '../postgres/databases.js';
import { LeaseKeeper } from '../run/lease-keeper.js';
import { listenersUsedBy, partitionFault } from './partition.js';
import type { FaultContext } from './types.js';

// Which routes a mesh partition cuts, on the example shop's mesh (in process, no replicas
// needed): the callee's routes on the listeners the caller's env names.
const loaded = parseSpecText(
  readFileSync(new URL('../../../examples/shop/shakedown.yaml', import.meta.url), 'utf8'),
  'shakedown.yaml',
);
let mesh: Mesh;
let ctx: FaultContext;
beforeAll(async () => {
  const m = structuredClone(loaded.spec.mesh);
  if (!m) throw new Error('the shop has a mesh');
  for (const l of m.listeners ?? []) l.port = 0;
  mesh = new Mesh(meshConfigFromSpec(m, { adminPort: 0 }));
  await mesh.start();
  ctx = {
    controls: {
      mesh,
      fleet: undefined,
      tcp: undefined,
      listenerUrl: () => undefined,
      remote: undefined,
      subscribeMeshWindows: () => () => {},
      subscribeEvents: () => () => {},
      close: async () => {},
    },
    random: createRandom(1),
    keeper: new LeaseKeeper(),
    databases: new DatabaseRegistry(),
    spec: loaded.spec,
    stateDir: '',
    now: Date.now,
    emit: () => {},
  };
});
afterAll(() => mesh.stop({ drainTimeoutMs: 0 }));

const plan = (params: Record<string, unknown>) =>
  partitionFault.plan(params as never, ctx, {
    id: 'chaos-p-1',
    durationMs: 10_000,
    ttlMs: 40_000,
    leaseMs: 5000,
  });

describe('mesh partition routes', () => {
  it('reads which listeners a service calls through from its env', () => {
    expect(listenersUsedBy(ctx, 'gateway')).toEqual(['internal']);
    expect(listenersUsedBy(ctx, 'cart')).toBeUndefined();
  });

  it('cuts gateway → cart on the cart route; cart calls nothing back', async () => {
    const both = await plan({ from: 'gateway', to: 'cart', direction: 'both', mode: 'blackhole' });
    expect(both.targets).toEqual(['gateway → cart (route cart)']);
    const faults = both.data.faults as Array<{ id: string; request: Record<string, unknown> }>;
    expect(faults).toEqual([{ id: 'chaos-p-1-0', request: { type: 'delay', delay: 40_000, route: 'cart' } }]);
    expect(
      (await plan({ from: 'gateway', to: 'catalog', direction: 'to', mode: 'reset' })).data.faults,
    ).toEqual([{ id: 'chaos-p-1-0', request: { type: 'abort', reset: true, route: 'catalog' } }]);
    await expect(plan({ from: 'gateway', to: 'cart', direction: 'from', mode: 'blackhole' })).rejects.toThrow(
      /no mesh route carries calls between gateway and cart \(direction from\)/,
    );
  });

  it('injects, renews and reverts the route faults in the mesh', async () => {
    const p = await plan({ from: 'gateway', to: 'orders', direction: 'to', mode: 'blackhole' });
    await partitionFault.inject(
      p.data,
      ctx,
      { id: 'chaos-p-1', durationMs: 1, ttlMs: 1, leaseMs: 1 },
      Date.now() + 5000,
    );
    expect((await mesh.faults()).map((f) => [f.id, f.route])).toEqual([['chaos-p-1-0', 'orders']]);
    expect(
      await partitionFault.renew?.(
        p.data,
        ctx,
        { id: 'x', durationMs: 1, ttlMs: 1, leaseMs: 1 },
        Date.now() + 9000,
      ),
    ).toBe(true);
    expect(await partitionFault.revert(p.data, ctx, 'chaos-p-1')).toBe('reverted');
    expect(await mesh.faults()).toEqual([]);
    expect(
      await partitionFault.renew?.(
        p.data,
        ctx,
        { id: 'x', durationMs: 1, ttlMs: 1, leaseMs: 1 },
        Date.now() + 9000,
      ),
    ).toBe(false);
  });
});
