import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalTail } from './normal.js';

describe('erfc', () => {
  it('matches tabulated values to 1e-12 relative, deep into the tail', () => {
    const table: Array<[number, number]> = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [1.9, 0.007209570764742524],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [-1, 1.8427007929497148],
    ];
    for (const [x, want] of table) expect(Math.abs(erfc(x) - want) / want, `erfc(${x})`).toBeLessThan(1e-12);
  });

  it('gives normal tails and CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalTail(12, 10, 1)).toBeCloseTo(0.022750131948179195, 12);
    expect(normalTail(8, 10, 1)).toBeCloseTo(0.022750131948179195, 12);
  });
});
