import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutFromEntry } from '../../src/delivery/from-spec.js';
import { runRollout } from '../../src/delivery/run-rollout.js';
import { rolloutSchema } from '../../src/spec/sections/rollout.js';
import { type Shop, startShop } from '../helpers/shop.js';

// A canary of the example shop's catalog whose v2 is 20 % slower (CATALOG_DELAY_MS 12 ms
// against v1's 10 ms, the same code otherwise), with the rollout's own built-in load on
// the mesh's internal listener: the judge fails it at the first analysis step, and the
// weights are back on v1 a few seconds after that step's analysis window closes.
let shop: Shop;

beforeAll(async () => {
  shop = await startShop({
    edit: (s) => {
      const catalog = s.services?.catalog;
      if (!catalog?.versions?.v1 || !catalog.versions.v2) throw new Error('the shop has catalog v1 and v2');
      catalog.versions.v1.env = { CATALOG_DELAY_MS: '10' };
      catalog.versions.v2.env = { CATALOG_DELAY_MS: '12' };
    },
  });
});
afterAll(() => shop?.platform.stop());

describe('canary of a 20 % slower catalog v2', () => {
  it('is failed by the judge at the first analysis step and rolled back within 10 s of its window closing', async () => {
    const spec = rolloutFromEntry(
      'catalog',
      rolloutSchema.parse({
        version: 'v2',
        abortScaleDownDelay: '1s',
        load: { url: '/products?page=3', listener: 'internal', rate: '300/s' },
        analyses: {
          judge: { interval: '10s', metrics: [{ name: 'judge', provider: { type: 'judge' } }] },
        },
        canary: {
          steps: [
            { setWeight: 20 },
            { analysis: { templates: ['judge'] } },
            { setWeight: 50 },
            { analysis: { templates: ['judge'] } },
          ],
        },
      }),
    );
    const run = await runRollout(shop.platform, spec);
    const judged = run.events.find((e) => e.kind === 'analysis.measurement');
    const p50 = (
      (judged?.data.detail ?? { metrics: [] }) as {
        metrics: Array<{ metric: string; effect: { relative: number } }>;
      }
    ).metrics.find((m) => m.metric === 'latency_p50_ms');
    console.log(
      `canary: p50 shift ${(100 * (p50?.effect.relative ?? 0)).toFixed(1)} %, ${judged?.data.message}; weights back ${run.figures.windowCloseToRollbackS} s after the window closed, ${run.figures.onsetToRollbackS} s after v2 first got traffic`,
    );
    expect(run.ok).toBe(false);
    expect(run.status).toMatchObject({ phase: 'aborted', abortedBy: 'analysis', step: 1, weight: 0 });
    expect(judged?.data.phase).toBe('failed');
    expect(p50?.effect.relative).toBeGreaterThan(0.1);
    expect(run.figures.windowCloseToRollbackS).toBeLessThan(10);
    expect(await shop.platform.mesh?.weights('catalog')).toEqual({ v1: 100, v2: 0, v3: 0 });
    expect(shop.platform.fleet?.service('catalog').versions.find((v) => v.name === 'v2')?.desired).toBe(0);
    expect(run.load?.requests).toBeGreaterThan(2500);
    expect(run.load?.errors).toBe(0);
  });
});
