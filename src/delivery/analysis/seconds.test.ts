import { describe, expect, it } from 'vitest';
import { recordUs } from '../../core/histogram.js';
import { createRandom } from '../../core/random.js';
import { createWindow } from '../../core/window.js';
import { bucketsOf, percentileOf } from '../../stats/buckets.js';
import { hypergeometric, thinBuckets, versionSeconds } from './seconds.js';

const t0 = 1_700_000_000_000;

describe('thinBuckets', () => {
  it('keeps exactly k values, each bucket at most its count, preserving the distribution', () => {
    const r = createRandom(9);
    const w = createWindow(t0, 1000, {});
    for (let i = 0; i < 5000; i++) recordUs(w.latencyUs, 1000 + (i % 100) * 100);
    const b = bucketsOf(w.latencyUs);
    const t = thinBuckets(b, 500, r);
    expect(t.total).toBe(500);
    expect(t.counts.reduce((s, c) => s + c, 0)).toBe(500);
    for (let i = 0; i < t.highs.length; i++) {
      const j = b.highs.indexOf(t.highs[i] as number);
      expect(t.counts[i]).toBeLessThanOrEqual(b.counts[j] as number);
    }
    expect(percentileOf(t, 50) / percentileOf(b, 50)).toBeGreaterThan(0.9);
    expect(percentileOf(t, 50) / percentileOf(b, 50)).toBeLessThan(1.1);
  });
  it('returns the set itself for k ≥ total and an empty set for k ≤ 0', () => {
    const w = createWindow(t0, 1000, {});
    recordUs(w.latencyUs, 5);
    const b = bucketsOf(w.latencyUs);
    expect(thinBuckets(b, 3, createRandom(1))).toBe(b);
    expect(thinBuckets(b, 0, createRandom(1)).total).toBe(0);
  });
});

describe('hypergeometric', () => {
  it('has mean k·good/n and never exceeds its bounds', () => {
    const r = createRandom(3);
    let sum = 0;
    for (let i = 0; i < 2000; i++) {
      const h = hypergeometric(100, 10, 20, r);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(10);
      sum += h;
    }
    expect(sum / 2000).toBeCloseTo(2, 0);
    expect(hypergeometric(10, 10, 4, r)).toBe(4);
    expect(hypergeometric(10, 0, 4, r)).toBe(0);
  });
});

describe('versionSeconds', () => {
  const win = (s: number, version: string, n: number, route = 'catalog', service = 'catalog') => {
    const w = createWindow(t0 + s * 1000, 1000, { route, service, version });
    for (let i = 0; i < n; i++) recordUs(w.latencyUs, 1000);
    w.counters.requests = n;
    return w;
  };
  const base = {
    service: 'catalog',
    baselineVersion: 'v1',
    canaryVersion: 'v2',
    startMs: t0 + 1000,
    endMs: t0 + 4000,
  };

  it('aligns both versions on the same seconds of the period, thinning the larger side', () => {
    const ws = [0, 1, 2, 3, 4].flatMap((s) => [win(s, 'v1', 90), win(s, 'v2', 10), win(s, 'v3', 50)]);
    const s = versionSeconds(ws, { ...base, random: createRandom(1) });
    expect(s.seconds).toBe(3);
    expect(s.requests).toEqual({ baseline: 270, canary: 30 });
    expect(s.baseline.map((x) => x.requests)).toEqual([10, 10, 10]);
    expect(s.baseline.map((x) => x.latency.total)).toEqual([10, 10, 10]);
    expect(s.canary.map((x) => x.requests)).toEqual([10, 10, 10]);
  });

  it('thins the canary when it has more, and not at all with equalize off', () => {
    const ws = [1, 2].flatMap((s) => [win(s, 'v1', 10), win(s, 'v2', 40)]);
    expect(versionSeconds(ws, { ...base, random: createRandom(1) }).canary.map((x) => x.requests)).toEqual([
      10, 10,
    ]);
    const raw = versionSeconds(ws, { ...base, equalize: false, random: createRandom(1) });
    expect(raw.canary.map((x) => x.requests)).toEqual([40, 40]);
  });

  it('merges the routes of the service (or only those named) and ignores other services', () => {
    const ws = [
      win(1, 'v1', 5, 'a'),
      win(1, 'v1', 7, 'b'),
      win(1, 'v2', 12, 'a'),
      win(1, 'v1', 99, 'a', 'cart'),
    ];
    const all = versionSeconds(ws, { ...base, random: createRandom(1) });
    expect(all.requests).toEqual({ baseline: 12, canary: 12 });
    const onlyA = versionSeconds(ws, { ...base, routes: ['a'], random: createRandom(1) });
    expect(onlyA.requests).toEqual({ baseline: 5, canary: 12 });
  });

  it('keeps a second in which only one side had requests (the other side has none)', () => {
    const s = versionSeconds([win(1, 'v1', 5)], { ...base, random: createRandom(1) });
    expect(s.seconds).toBe(1);
    expect(s.canary[0]?.requests).toBe(0);
  });
});
