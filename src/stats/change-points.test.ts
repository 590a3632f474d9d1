import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.js';
import { detectChangePoints, eDivisiveTTest, mergeStep, splitStep } from './change-points.js';
import { PairDistances } from './e-divisive.js';
import { residualAutocorrelation, splitTTest } from './t-test.js';

function bruteQ(xs: number[], start: number, tau: number, kappa: number): number {
  const X = xs.slice(start, tau);
  const Y = xs.slice(tau, kappa);
  const n = X.length;
  const m = Y.length;
  let sxy = 0;
  for (const a of X) for (const b of Y) sxy += Math.abs(a - b);
  let sxx = 0;
  for (let i = 0; i < n; i++)
    for (let k = i + 1; k < n; k++) sxx += Math.abs((X[i] as number) - (X[k] as number));
  let syy = 0;
  for (let i = 0; i < m; i++)
    for (let k = i + 1; k < m; k++) syy += Math.abs((Y[i] as number) - (Y[k] as number));
  return (
    (2 / (n + m)) * sxy -
    (n > 1 ? ((2 * m) / ((n + m) * (n - 1))) * sxx : 0) -
    (m > 1 ? ((2 * n) / ((n + m) * (m - 1))) * syy : 0)
  );
}

describe('E-divisive candidate search', () => {
  it('maximises the energy statistic exactly as the formula (brute force)', () => {
    const r = createRandom(3);
    const xs = Array.from({ length: 30 }, (_, i) => (i < 18 ? 0 : 2) + r.normal());
    const d = new PairDistances(xs);
    const c = d.bestSplit(4, 30);
    let best = Number.NEGATIVE_INFINITY;
    let at = -1;
    for (let tau = 5; tau < 30; tau++)
      for (let kappa = tau + 1; kappa <= 30; kappa++) {
        const q = bruteQ(xs, 4, tau, kappa);
        if (q > best) {
          best = q;
          at = tau;
        }
      }
    expect(c?.index).toBe(at);
    expect(c?.qhat).toBeCloseTo(best, 9);
    expect(d.bestSplit(3, 4)).toBeUndefined();
  });
});

describe("Hunter's t-test", () => {
  it('matches SciPy ttest_ind_from_stats with population standard deviations', () => {
    const s = splitTTest([1.0, 2.0, 1.5, 1.2, 1.7], [2.5, 2.9, 3.1, 2.2]);
    expect(s.tStatistic).toBeCloseTo(-5.058765541812549, 9);
    expect(s.pValue).toBeCloseTo(0.0014653752557855868, 9);
    expect(s.degreesOfFreedom).toBe(7);
  });

  it('handles constant and tiny segments', () => {
    expect(splitTTest([1, 1, 1], [1, 1]).pValue).toBe(1);
    expect(splitTTest([1, 1, 1], [2, 2]).pValue).toBe(0);
    expect(splitTTest([1], [2]).pValue).toBe(1);
    expect(() => splitTTest([], [1])).toThrow(RangeError);
  });

  it('deflates the sample size for autocorrelated residuals, and not for independent ones', () => {
    const r = createRandom(5);
    let walk = 0;
    const rw = Array.from({ length: 100 }, () => (walk += r.normal()));
    expect(residualAutocorrelation(rw.slice(0, 50), rw.slice(50))).toBeGreaterThan(0.5);
    const plain = splitTTest(rw.slice(0, 50), rw.slice(50));
    const corrected = splitTTest(rw.slice(0, 50), rw.slice(50), { autocorrelation: true });
    expect(corrected.pValue).toBeGreaterThan(plain.pValue);
    const iid = Array.from({ length: 100 }, () => r.normal());
    expect(residualAutocorrelation(iid.slice(0, 50), iid.slice(50))).toBeLessThan(0.3);
  });
});

describe('detectChangePoints', () => {
  it('finds one step at its index, with before/after means and a tiny p', () => {
    const r = createRandom(11);
    const xs = Array.from({ length: 120 }, (_, i) => (i < 70 ? 100 : 120) + 2 * r.normal());
    const cps = detectChangePoints(xs);
    expect(cps.map((c) => c.index)).toEqual([70]);
    const c = cps[0];
    expect(c?.meanBefore).toBeCloseTo(100, 0);
    expect(c?.meanAfter).toBeCloseTo(120, 0);
    expect(c?.forwardChange).toBeCloseTo(0.2, 1);
    expect(c?.pValue).toBeLessThan(1e-10);
  });

  it('finds several steps across windows', () => {
    const r = createRandom(12);
    const level = (i: number) => (i < 60 ? 10 : i < 130 ? 14 : i < 200 ? 9 : 12);
    const xs = Array.from({ length: 260 }, (_, i) => level(i) + 0.5 * r.normal());
    expect(detectChangePoints(xs).map((c) => c.index)).toEqual([60, 130, 200]);
  });

  it('stays quiet on independent noise', () => {
    const r = createRandom(13);
    let found = 0;
    for (let k = 0; k < 10; k++)
      found += detectChangePoints(Array.from({ length: 300 }, () => r.normal())).length;
    expect(found).toBeLessThanOrEqual(2);
  });

  it('returns nothing for too short a series and rejects a window below 2', () => {
    expect(detectChangePoints([1, 2])).toEqual([]);
    expect(() => splitStep([1, 2, 3], 1, 0.01)).toThrow(RangeError);
  });

  it('merge drops a weak point and recomputes its neighbours', () => {
    const r = createRandom(14);
    const xs = Array.from({ length: 90 }, (_, i) => (i < 45 ? 0 : 5) + r.normal());
    const weak = splitStep(xs, 50, 0.5);
    // A weak point where nothing changes is dropped; the real step survives.
    const merged = mergeStep(xs, [...weak], 0.001, 0);
    expect(merged.map((c) => c.index)).toEqual([45]);
    expect(eDivisiveTTest(xs, 0, 90, 0.001)).toContain(45);
  });
});
