import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadTest } from '../../src/load/engine.js';
import { loadConfigFromFlags } from '../../src/load/from-flags.js';
import { CollectingSink } from '../helpers/fleet.js';
import { type Shop, startShop } from '../helpers/shop.js';

// The example shop on the local platform under constant load through the mesh (shoppers →
// public listener → gateway → internal listener → catalog). A catalog replica is SIGKILLed
// from outside, as an OOM killer or an operator would: the fleet restarts it, the mesh stops
// sending it traffic meanwhile, retries hide the requests that were on it, and the exit and
// the ready-again are events on the timeline.
const sink = new CollectingSink();
let shop: Shop;

beforeAll(async () => {
  shop = await startShop({
    events: sink,
    // 50 ms per catalog answer: a few requests are always in flight on the replica killed
    // (with the shop's retries off, this test loses about 8 of 2,400 and fails).
    edit: (s) => {
      const catalog = s.services?.catalog;
      if (catalog) catalog.env = { ...catalog.env, CATALOG_DELAY_MS: '50' };
    },
  });
});
afterAll(() => shop?.platform.stop());

describe('the shop on the local platform', () => {
  it('keeps ≥ 99.9 % of requests successful while a killed catalog replica is restarted', async () => {
    const fleet = shop.platform.fleet;
    if (!fleet) throw new Error('the shop has services');
    const victim = fleet.replica('catalog-v1-0');
    const victimAddress = new URL(victim.url).host;
    const config = loadConfigFromFlags(`${shop.url}/products?page=3`, {
      rate: '300/s',
      duration: '8s',
      vus: 50,
      maxVus: 300,
      workers: 1,
    });
    let killedAt = 0;
    const killer = setTimeout(() => {
      killedAt = Date.now();
      process.kill(victim.pid as number, 'SIGKILL');
    }, 2000);
    const { summary } = await runLoadTest(config);
    clearTimeout(killer);

    expect(killedAt).toBeGreaterThan(0);
    expect(summary.requests).toBeGreaterThan(2000);
    expect(1 - summary.errorRate, JSON.stringify(summary.errorsByClass)).toBeGreaterThanOrEqual(0.999);

    // The timeline: exited (SIGKILL) → out of the mesh → ready again → back in the mesh.
    const exited = await sink.waitFor((e) => e.kind === 'replica.exited' && e.subject === 'catalog-v1-0');
    expect(exited.data.signal).toBe('SIGKILL');
    expect(exited.t).toBeGreaterThanOrEqual(killedAt);
    const ready = await sink.waitFor(
      (e) => e.kind === 'replica.ready' && e.subject === 'catalog-v1-0' && e.data.again === true,
      15_000,
    );
    expect(ready.t).toBeGreaterThan(exited.t);
    const endpoint = `catalog/v1/${victimAddress}`;
    const out = sink.events.find(
      (e) =>
        (e.kind === 'endpoint.removed' || e.kind === 'endpoint.ejected') &&
        e.subject.startsWith('catalog/v1/') &&
        e.t >= killedAt,
    );
    expect(out, 'the mesh took the dead endpoint out').toBeDefined();
    expect((out?.t ?? 0) - exited.t).toBeLessThan(1000);
    const back = sink.events.find(
      (e) => e.kind === 'endpoint.added' && e.subject.startsWith('catalog/v1/') && e.t >= exited.t,
    );
    expect(back, 'the restarted replica joined the mesh again').toBeDefined();
    // A restart keeps the replica's port, so it comes back as the same endpoint.
    expect(back?.subject).toBe(endpoint);
    expect(fleet.replica('catalog-v1-0').restarts).toBe(1);
  });
});
