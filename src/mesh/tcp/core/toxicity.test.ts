import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../core/random.js';
import { drawToxicity } from './toxicity.js';

describe('drawToxicity', () => {
  it('always acts at 1, never at 0', () => {
    const r = createRandom(1);
    for (let i = 0; i < 1000; i++) {
      expect(drawToxicity(1, r)).toBe(true);
      expect(drawToxicity(0, r)).toBe(false);
    }
  });

  it('acts on about a toxicity share of draws, repeatably for a seed', () => {
    const draws = (seed: number) => {
      const r = createRandom(seed);
      return Array.from({ length: 10_000 }, () => drawToxicity(0.3, r));
    };
    const a = draws(42);
    expect(a.filter(Boolean).length / a.length).toBeCloseTo(0.3, 1);
    expect(draws(42)).toEqual(a);
  });
});
