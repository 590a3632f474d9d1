import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../src/delivery/model.js';
import { runRollout } from '../../src/delivery/run-rollout.js';
import { runLoadTest } from '../../src/load/engine.js';
import { loadConfigFromFlags } from '../../src/load/from-flags.js';
import { CollectingSink } from '../helpers/fleet.js';
import { type Shop, startShop } from '../helpers/shop.js';

// Blue-green of the example shop's catalog under 3,000 requests per second through the
// mesh's internal listener (where the gateway reaches catalog): v2 (2 replicas) starts
// beside v1, gets only header-routed preview traffic, passes its pre-promotion check, all
// traffic switches in one weight change, and v1's replicas are drained and stopped while
// the load goes on. Not one request may fail.
const sink = new CollectingSink();
let shop: Shop;

beforeAll(async () => {
  shop = await startShop({
    events: sink,
    edit: (s) => {
      const v2 = s.services?.catalog?.versions?.v2;
      // An identical release (the shop's v2 is deliberately slow and failing).
      if (v2) v2.env = {};
    },
  });
});
afterAll(() => shop?.platform.stop());

describe('blue-green switch of catalog under load', () => {
  it('serves 3,000 requests per second through the switch and the old version’s stop with 0 failures', async () => {
    const internal = shop.platform.listenerUrl('internal');
    const spec: RolloutSpec = {
      service: 'catalog',
      version: 'v2',
      strategy: {
        type: 'blueGreen',
        previewRoute: { header: 'x-preview', equals: '1' },
        previewMirror: 0,
        prePromotion: {
          name: 'smoke',
          metrics: [
            {
              name: 'preview-up',
              provider: {
                type: 'web',
                url: `${internal}/products/1`,
                method: 'GET',
                headers: { 'x-preview': '1' },
                jsonPath: 'id',
                timeout: 2000,
                allowRemote: false,
              },
              successCondition: '== 1',
              intervalMs: 1000,
              count: 2,
              initialDelayMs: 0,
              failureLimit: 0,
              inconclusiveLimit: 0,
              consecutiveErrorLimit: 2,
              noData: 'fail',
            },
          ],
        },
        autoPromotion: true,
        autoPromotionDelayMs: 2000,
      },
      progressDeadlineMs: 60_000,
      scaleDownDelayMs: 3000,
      abortScaleDownDelayMs: 1000,
      notifiers: [],
    };
    const config = loadConfigFromFlags(`${internal}/products?page=2`, {
      rate: '3000/s',
      duration: '20s',
      vus: 200,
      maxVus: 1000,
      workers: 2,
      gracefulStop: '5s',
    });
    const load = runLoadTest(config);
    await new Promise((r) => setTimeout(r, 3000));
    const run = await runRollout(shop.platform, spec, { events: sink });
    const { summary } = await load;
    const switched = run.events.find((e) => e.kind === 'rollout.promoting')?.t ?? 0;
    console.log(
      `blue-green: ${summary.requests} requests at ${summary.rps.toFixed(0)}/s, ${summary.errors} failed, p99 ${summary.latencyMs.p99} ms; switch ${((switched - Date.parse(summary.startedAt)) / 1000).toFixed(1)} s into the load`,
    );
    // Before the switch v2 had only header-routed preview traffic: the smoke checks.
    const before = (await shop.platform.mesh?.windows(0))?.filter(
      (w) =>
        w.key.service === 'catalog' && w.key.version === 'v2' && w.startMs + w.durationMs <= switched - 1000,
    );
    expect(before?.reduce((n, w) => n + w.counters.requests, 0)).toBe(2);

    expect(run.ok, run.status.message).toBe(true);
    expect(run.status.timings.scaledDownMs).not.toBeNull();
    expect(summary.rps).toBeGreaterThan(2700);
    expect(summary.droppedIterations).toBe(0);
    expect(summary.errors, JSON.stringify(summary.errorsByClass)).toBe(0);
    expect(await shop.platform.mesh?.weights('catalog')).toEqual({ v1: 0, v2: 100, v3: 0 });
    // The switch and v1's stop happened inside the load: v1 drained while requests flowed.
    const drained = sink.events.filter(
      (e) => e.kind === 'replica.drained' && String(e.data.version) === 'v1',
    );
    expect(drained).toHaveLength(2);
    const endMs = Date.parse(summary.endedAt);
    for (const e of drained) expect(e.t).toBeLessThan(endMs);
  });
});
