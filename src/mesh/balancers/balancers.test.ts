import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.js';
import { LeastRequestBalancer } from './least-request.js';
import { balancerRegistry } from './registry.js';
import { RoundRobinBalancer } from './round-robin.js';
import type { BalancerCandidate } from './types.js';

class Cand implements BalancerCandidate {
  constructor(
    public inFlight = 0,
    public up = true,
  ) {}
  isAvailable(): boolean {
    return this.up;
  }
}

describe('RoundRobinBalancer', () => {
  it('cycles in order', () => {
    const b = new RoundRobinBalancer();
    const cs = [new Cand(), new Cand(), new Cand()];
    expect(Array.from({ length: 6 }, () => b.pick(cs, 0))).toEqual([0, 1, 2, 0, 1, 2]);
  });
  it('skips unavailable endpoints', () => {
    const b = new RoundRobinBalancer();
    const cs = [new Cand(), new Cand(0, false), new Cand()];
    expect(Array.from({ length: 4 }, () => b.pick(cs, 0))).toEqual([0, 2, 0, 2]);
  });
  it('avoids the endpoint a retry comes from, unless it is the only one', () => {
    const b = new RoundRobinBalancer();
    const cs = [new Cand(), new Cand()];
    expect(b.pick(cs, 0, cs[0])).toBe(1);
    expect(b.pick(cs, 0, cs[1])).toBe(0);
    const one = [new Cand(), new Cand(0, false)];
    expect(b.pick(one, 0, one[0])).toBe(0);
  });
  it('returns -1 when nothing is available', () => {
    expect(new RoundRobinBalancer().pick([new Cand(0, false)], 0)).toBe(-1);
    expect(new RoundRobinBalancer().pick([], 0)).toBe(-1);
  });
});

describe('LeastRequestBalancer (P2C)', () => {
  it('never picks the busiest of two', () => {
    const b = new LeastRequestBalancer(createRandom(1));
    const cs = [new Cand(5), new Cand(0)];
    for (let i = 0; i < 50; i++) expect(b.pick(cs, 0)).toBe(1);
  });
  it('with equal load, spreads evenly', () => {
    const b = new LeastRequestBalancer(createRandom(2));
    const cs = [new Cand(), new Cand(), new Cand(), new Cand()];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const k = b.pick(cs, 0);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(9_000);
  });
  it('prefers the least loaded of three most of the time, and never the most loaded', () => {
    const b = new LeastRequestBalancer(createRandom(3));
    const cs = [new Cand(10), new Cand(1), new Cand(5)];
    const counts = [0, 0, 0];
    for (let i = 0; i < 3_000; i++) {
      const k = b.pick(cs, 0);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts[0]).toBe(0);
    // Index 1 wins every pair it is in: 2 of the 3 pairs.
    expect((counts[1] as number) / 3_000).toBeCloseTo(2 / 3, 1);
  });
  it('skips unavailable and avoided endpoints', () => {
    const b = new LeastRequestBalancer(createRandom(4));
    const cs = [new Cand(0, false), new Cand(9), new Cand(9)];
    for (let i = 0; i < 20; i++) expect(b.pick(cs, 0, cs[1])).toBe(2);
    expect(b.pick([cs[0] as Cand], 0)).toBe(-1);
    expect(b.pick([cs[1] as Cand], 0, cs[1])).toBe(0);
  });
});

describe('balancerRegistry', () => {
  it('knows round-robin and least-request, and names them when asked for another', () => {
    const r = balancerRegistry();
    expect(r.types()).toEqual(['least-request', 'round-robin']);
    expect(() => r.get('random')).toThrow(/unknown load balancer "random"/);
    try {
      r.get('random');
    } catch (e) {
      expect((e as { hint?: string }).hint).toMatch(/least-request, round-robin/);
    }
  });
});
