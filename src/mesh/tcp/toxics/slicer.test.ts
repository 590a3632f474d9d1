import { describe, expect, it } from 'vitest';
import { useTcpFixture } from '../../../../test/helpers/tcp-fixture.js';
import { connectClient, payload, within } from '../../../../test/helpers/tcp-peers.js';
import { createRandom } from '../../../core/random.js';
import { slicerToxic, sliceSizes } from './slicer.js';

const fx = useTcpFixture();

describe('sliceSizes', () => {
  it('covers the chunk exactly with pieces near the average', () => {
    const r = createRandom(5);
    for (const length of [1, 7, 100, 1000, 65_536]) {
      const sizes = sliceSizes(length, 100, 40, r);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(length);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(140);
    }
    const big = sliceSizes(100_000, 100, 40, r);
    const mean = 100_000 / big.length;
    expect(mean).toBeGreaterThan(50);
    expect(mean).toBeLessThan(140);
  });

  it('is deterministic for a seed, exact halves without variation, and safe at the edges', () => {
    expect(sliceSizes(5000, 50, 20, createRandom(9))).toEqual(sliceSizes(5000, 50, 20, createRandom(9)));
    expect(sliceSizes(400, 100, 0, createRandom(1))).toEqual([100, 100, 100, 100]);
    expect(sliceSizes(0, 10, 0, createRandom(1))).toEqual([]);
    expect(sliceSizes(5, 1, 0, createRandom(1))).toEqual([1, 1, 1, 1, 1]);
    expect(sliceSizes(50, 100, 10, createRandom(1))).toEqual([50]);
  });
});

describe('slicer toxic', () => {
  it('schema wants sizeVariationBytes below averageSizeBytes and takes delays as µs or durations', () => {
    expect(slicerToxic.attributes.parse({ averageSizeBytes: 10, delayUs: '2ms' })).toEqual({
      averageSizeBytes: 10,
      sizeVariationBytes: 0,
      delayUs: 2000,
    });
    expect(slicerToxic.attributes.parse({ averageSizeBytes: '1KiB', delayUs: 250 }).delayUs).toBe(250);
    expect(() => slicerToxic.attributes.parse({ averageSizeBytes: 10, sizeVariationBytes: 10 })).toThrow(
      /less than averageSizeBytes/,
    );
    expect(() => slicerToxic.attributes.parse({ averageSizeBytes: 0 })).toThrow(/at least 1 byte/);
  });

  it('delivers data in many small reads with every byte intact', async () => {
    const body = payload(20_000);
    const server = await fx.server((s) => s.end(body));
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({
      type: 'slicer',
      attributes: { averageSizeBytes: 200, sizeVariationBytes: 100, delayUs: 2000 },
    });
    const r = await within(connectClient(proxy.address.port).done, 5000, 'sliced download');
    expect(r.data.equals(body)).toBe(true);
    // Unsliced, 20 kB arrives in one or two reads; sliced, about 100 pieces 2 ms apart.
    expect(r.reads).toBeGreaterThan(30);
    expect(r.closeMs).toBeGreaterThan(100);
  });
});
