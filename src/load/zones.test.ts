import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.js';
import { zoneDelayMs, zoneDrops, zoneForVu } from './zones.js';

const zones = [
  { name: 'eu', share: 0.5, latencyMs: 20, jitterMs: 5, loss: 0 },
  { name: 'us', share: 0.3, latencyMs: 80, jitterMs: 0, loss: 0 },
  { name: 'ap', share: 0.2, latencyMs: 150, jitterMs: 30, loss: 0.1 },
];

describe('zones', () => {
  it('meets the shares closely at any VU count, the same in every worker layout', () => {
    for (const n of [10, 100, 10_000]) {
      const counts: Record<string, number> = { eu: 0, us: 0, ap: 0 };
      for (let v = 0; v < n; v++) {
        const name = zoneForVu(v, zones).name;
        counts[name] = (counts[name] ?? 0) + 1;
      }
      expect(Math.abs((counts.eu as number) / n - 0.5)).toBeLessThanOrEqual(n === 10 ? 0.1 : 0.01);
      expect(Math.abs((counts.ap as number) / n - 0.2)).toBeLessThanOrEqual(n === 10 ? 0.1 : 0.01);
    }
    expect(zoneForVu(1234, zones)).toBe(zoneForVu(1234, zones));
  });

  it('draws delays within latency ± jitter and losses at the given rate', () => {
    const r = createRandom(5);
    const ap = zones[2] as (typeof zones)[number];
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    let lost = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = zoneDelayMs(ap, r);
      min = Math.min(min, d);
      max = Math.max(max, d);
      if (zoneDrops(ap, r)) lost++;
    }
    expect(min).toBeGreaterThanOrEqual(120);
    expect(max).toBeLessThanOrEqual(180);
    expect(max - min).toBeGreaterThan(50);
    expect(lost / 20_000).toBeCloseTo(0.1, 1);
    expect(zoneDelayMs({ name: 'x', share: 1, latencyMs: 0, jitterMs: 0, loss: 0 }, r)).toBe(0);
  });
});
