import { describe, expect, it } from 'vitest';
import { createRandom } from './random.js';

describe('createRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 10 }, () => a.next());
    const sb = Array.from({ length: 10 }, () => b.next());
    const sc = Array.from({ length: 10 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('is uniform in [0,1) and int() covers its inclusive range', () => {
    const r = createRandom(7);
    const buckets = new Array(10).fill(0);
    const seen = new Set<number>();
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      buckets[Math.floor(x * 10)]++;
      seen.add(r.int(1, 6));
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('draws exponential and normal variates with the right moments', () => {
    const r = createRandom(9);
    let sumE = 0;
    let sumN = 0;
    let sumN2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      sumE += r.exponential(5);
      const z = r.normal();
      sumN += z;
      sumN2 += z * z;
    }
    expect(sumE / n).toBeCloseTo(5, 1);
    expect(sumN / n).toBeCloseTo(0, 1);
    expect(sumN2 / n).toBeCloseTo(1, 1);
  });

  it('forks independent streams deterministically', () => {
    const f1 = createRandom(1).fork();
    const f2 = createRandom(1).fork();
    expect(f1.next()).toBe(f2.next());
  });
});
