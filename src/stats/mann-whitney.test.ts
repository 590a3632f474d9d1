import { describe, expect, it } from 'vitest';
import { hodgesLehmann } from './hodges-lehmann.js';
import { mannWhitneyU } from './mann-whitney.js';
import { averageRanks } from './rank.js';

// Candidate and baseline with ties; reference values from SciPy's mannwhitneyu
// (asymptotic, continuity) and from R's wilcox.test interval algorithm run with SciPy.
const candidate = [12.1, 11.8, 13.5, 12.0, 12.0, 14.2, 11.9, 12.7, 13.1, 12.0, 15.5, 12.3];
const baseline = [11.0, 11.2, 12.0, 10.9, 11.5, 12.0, 11.1, 13.0, 11.4, 11.8];

describe('averageRanks', () => {
  it('averages tied ranks and reports tie groups', () => {
    const { ranks, tieSizes } = averageRanks([3, 1, 3, 2, 3]);
    expect([...ranks]).toEqual([4, 1, 4, 2, 4]);
    expect(tieSizes.sort()).toEqual([1, 1, 3]);
  });
});

describe('mannWhitneyU', () => {
  it('matches SciPy with ties (U and two-sided p)', () => {
    const r = mannWhitneyU(candidate, baseline);
    expect(r.u).toBe(104.5);
    expect(r.pValue).toBeCloseTo(0.0035157345477876316, 6);
    expect(r.z).toBeGreaterThan(0);
  });

  it('is symmetric: swapping the samples keeps p and negates z', () => {
    const a = mannWhitneyU(candidate, baseline);
    const b = mannWhitneyU(baseline, candidate);
    expect(b.pValue).toBeCloseTo(a.pValue, 12);
    expect(b.z).toBeCloseTo(-a.z, 12);
    expect(a.u + b.u).toBe(candidate.length * baseline.length);
  });

  it('gives p = 1 when everything is tied and NaN without data', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5]).pValue).toBe(1);
    expect(mannWhitneyU([], [1]).pValue).toBeNaN();
  });
});

describe('hodgesLehmann', () => {
  it("matches R's wilcox.test interval (98 % and 95 %)", () => {
    const r = hodgesLehmann(baseline, candidate, 0.98);
    expect(r.estimate).toBeCloseTo(0.9, 6);
    expect(r.lower).toBeCloseTo(0.2, 6);
    expect(r.upper).toBeCloseTo(2.1, 6);
    const r95 = hodgesLehmann(baseline, candidate, 0.95);
    expect(r95.lower).toBeCloseTo(0.3, 6);
    expect(r95.upper).toBeCloseTo(1.8, 6);
  });

  it('recovers a constant shift and its interval contains it', () => {
    const base = Array.from({ length: 40 }, (_, i) => 100 + ((i * 37) % 23));
    const cand = base.map((v) => v + 7);
    const r = hodgesLehmann(base, cand);
    expect(r.estimate).toBeCloseTo(7, 6);
    expect(r.lower).toBeLessThanOrEqual(7);
    expect(r.upper).toBeGreaterThanOrEqual(7);
    const back = hodgesLehmann(cand, base);
    expect(back.estimate).toBeCloseTo(-7, 6);
  });

  it('returns NaN without data', () => {
    expect(hodgesLehmann([], [1, 2]).estimate).toBeNaN();
  });
});
