import { describe, expect, it } from 'vitest';
import { createHistogram, recordUs } from '../core/histogram.js';
import { createRandom } from '../core/random.js';
import { bootstrapPercentileDifferences } from './bootstrap.js';
import { bucketsOf, meanOf, mergeBuckets, percentileOf } from './buckets.js';

function hist(r: ReturnType<typeof createRandom>, n: number, medianMs: number) {
  const h = createHistogram();
  for (let i = 0; i < n; i++) recordUs(h, medianMs * 1000 * Math.exp(0.3 * r.normal()));
  return h;
}

describe('buckets', () => {
  it('read the same percentiles and mean as HdrHistogram', () => {
    const r = createRandom(1);
    const h = hist(r, 5000, 20);
    recordUs(h, 4_000_000);
    const b = bucketsOf(h);
    expect(b.total).toBe(h.totalCount);
    for (const p of [0.1, 1, 25, 50, 90, 99, 99.9, 100])
      expect(percentileOf(b, p)).toBe(h.getValueAtPercentile(p));
    expect(meanOf(b)).toBeCloseTo(h.mean, 6);
  });

  it('merge exactly, like histogram addition', () => {
    const r = createRandom(2);
    const a = hist(r, 1000, 10);
    const c = hist(r, 1000, 30);
    const both = createHistogram();
    both.add(a);
    both.add(c);
    const m = mergeBuckets([bucketsOf(a), bucketsOf(c)]);
    for (const p of [10, 50, 99]) expect(percentileOf(m, p)).toBe(both.getValueAtPercentile(p));
    expect(percentileOf(bucketsOf(createHistogram()), 50)).toBeNaN();
  });
});

describe('bootstrapPercentileDifferences', () => {
  it('brackets a real difference and is repeatable with the same seed', () => {
    const r = createRandom(3);
    const base = Array.from({ length: 40 }, () => bucketsOf(hist(r, 200, 20)));
    const cand = Array.from({ length: 40 }, () => bucketsOf(hist(r, 200, 24)));
    const run = (seed: number) =>
      bootstrapPercentileDifferences(base, cand, {
        percentiles: [50, 99],
        iterations: 300,
        random: createRandom(seed),
      });
    const [p50, p99] = run(7);
    expect(p50?.difference).toBeGreaterThan(3000);
    expect(p50?.lower).toBeGreaterThan(0);
    expect(p50?.lower).toBeLessThanOrEqual(p50?.difference as number);
    expect(p50?.upper).toBeGreaterThanOrEqual(p50?.difference as number);
    expect(p99?.percentile).toBe(99);
    expect(run(7)).toEqual(run(7));
  });

  it('contains zero for equal runs and reports no data honestly', () => {
    const r = createRandom(4);
    const a = Array.from({ length: 40 }, () => bucketsOf(hist(r, 200, 20)));
    const b = Array.from({ length: 40 }, () => bucketsOf(hist(r, 200, 20)));
    const [p50] = bootstrapPercentileDifferences(a, b, {
      percentiles: [50],
      iterations: 300,
      random: createRandom(1),
    });
    expect(p50?.lower).toBeLessThanOrEqual(0);
    expect(p50?.upper).toBeGreaterThanOrEqual(0);
    const [none] = bootstrapPercentileDifferences([], b, { percentiles: [50], random: createRandom(1) });
    expect(none).toMatchObject({ iterations: 0 });
    expect(none?.difference).toBeNaN();
  });
});
