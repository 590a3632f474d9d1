import { describe, expect, it } from 'vitest';
import { SmoothWeightedRoundRobin } from './smooth-wrr.js';

function counts(s: SmoothWeightedRoundRobin, n: number, size: number): number[] {
  const c = new Array(size).fill(0);
  for (let i = 0; i < n; i++) c[s.pick()]++;
  return c;
}

describe('SmoothWeightedRoundRobin', () => {
  it('gives exact shares over every full cycle', () => {
    const s = new SmoothWeightedRoundRobin([90, 10]);
    expect(counts(s, 100, 2)).toEqual([90, 10]);
    expect(counts(s, 20_000, 2)).toEqual([18_000, 2_000]);
  });

  it('interleaves: 90/10 never sends two v2 picks within ten', () => {
    const s = new SmoothWeightedRoundRobin([90, 10]);
    const seq = Array.from({ length: 100 }, () => s.pick());
    for (let i = 0; i + 10 <= seq.length; i += 10) {
      expect(seq.slice(i, i + 10).filter((x) => x === 1)).toHaveLength(1);
    }
  });

  it('matches nginx for {5, 1, 1}', () => {
    const s = new SmoothWeightedRoundRobin([5, 1, 1]);
    expect(Array.from({ length: 7 }, () => s.pick())).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });

  it('skips zero weights and returns -1 when all are zero', () => {
    const s = new SmoothWeightedRoundRobin([0, 3, 0]);
    expect(counts(s, 9, 3)).toEqual([0, 9, 0]);
    s.setWeights([0, 0]);
    expect(s.pick()).toBe(-1);
    expect(new SmoothWeightedRoundRobin([]).pick()).toBe(-1);
  });

  it('applies new weights from the next pick', () => {
    const s = new SmoothWeightedRoundRobin([1, 0]);
    expect(s.pick()).toBe(0);
    s.setWeights([0, 1]);
    expect(s.pick()).toBe(1);
    s.setWeights([50, 50]);
    expect(counts(s, 100, 2)).toEqual([50, 50]);
  });

  it('handles fractional weights', () => {
    const s = new SmoothWeightedRoundRobin([0.75, 0.25]);
    expect(counts(s, 400, 2)).toEqual([300, 100]);
  });

  it('rejects negative or non-finite weights', () => {
    expect(() => new SmoothWeightedRoundRobin([-1])).toThrow(RangeError);
    expect(() => new SmoothWeightedRoundRobin([Number.NaN])).toThrow(RangeError);
  });
});
