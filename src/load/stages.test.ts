import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.js';
import { arrivalSchedule, constantRateStages } from './arrivals.js';
import { countInSegment, globalIndex, inSegment } from './segment.js';
import { diurnalFactor, shapeStages } from './shapes.js';
import { peakTarget, RateIntegral, stagesDurationMs, targetAt } from './stages.js';

describe('stages', () => {
  const stages = [
    { durationMs: 10_000, target: 100 },
    { durationMs: 10_000, target: 100 },
    { durationMs: 5_000, target: 0 },
  ];
  it('interpolates linearly like k6', () => {
    expect(targetAt(0, stages, 0)).toBe(0);
    expect(targetAt(0, stages, 5_000)).toBe(50);
    expect(targetAt(0, stages, 15_000)).toBe(100);
    expect(targetAt(0, stages, 22_500)).toBe(50);
    expect(targetAt(0, stages, 99_000)).toBe(0);
    expect(stagesDurationMs(stages)).toBe(25_000);
    expect(peakTarget(0, stages)).toBe(100);
  });

  it('inverts the cumulative rate exactly for linear ramps', () => {
    // 0 → 100/s over 10 s: cumulative = t²·100/(2·10) per s → 500 starts at 10 s.
    const ri = new RateIntegral(0, [{ durationMs: 10_000, target: 100 }]);
    expect(ri.totalCount).toBeCloseTo(500, 9);
    expect(ri.timeOf(125)).toBeCloseTo(5_000, 6);
    expect(ri.timeOf(500)).toBeUndefined();
  });
});

describe('arrivalSchedule', () => {
  function count(s: { next(): number | undefined }) {
    let n = 0;
    let last = -1;
    for (let t = s.next(); t !== undefined; t = s.next()) {
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      n++;
    }
    return n;
  }
  it('makes exactly rate × duration deterministic starts', () => {
    const s = arrivalSchedule(
      0,
      constantRateStages(2000, 20_000),
      { index: 0, count: 1 },
      false,
      createRandom(1),
    );
    expect(count(s)).toBe(40_000);
  });

  it('splits starts exactly across segments', () => {
    let total = 0;
    for (let i = 0; i < 3; i++) {
      total += count(
        arrivalSchedule(
          50,
          [{ durationMs: 10_000, target: 250 }],
          { index: i, count: 3 },
          false,
          createRandom(1),
        ),
      );
    }
    expect(total).toBe(1500);
  });

  it('draws Poisson arrivals with the right mean count', () => {
    const r = createRandom(3);
    let total = 0;
    for (let i = 0; i < 20; i++) {
      total += count(arrivalSchedule(0, constantRateStages(500, 10_000), { index: 0, count: 2 }, true, r));
    }
    // 20 runs × 2,500 expected starts each; sd of the total ≈ √50,000 ≈ 224.
    expect(Math.abs(total - 50_000)).toBeLessThan(1_200);
  });
});

describe('segments', () => {
  it('partitions items exactly', () => {
    for (const total of [0, 1, 7, 10, 10_001]) {
      let sum = 0;
      for (let i = 0; i < 4; i++) sum += countInSegment(total, { index: i, count: 4 });
      expect(sum).toBe(total);
    }
    expect(globalIndex(2, { index: 1, count: 3 })).toBe(7);
    expect(inSegment(7, { index: 1, count: 3 })).toBe(true);
  });
});

describe('shapes', () => {
  it('ramps up, holds and ramps down', () => {
    const st = shapeStages({ type: 'ramp', target: 1000, rampUp: 10_000, hold: 20_000, rampDown: 5_000 });
    expect(targetAt(0, st, 5_000)).toBe(500);
    expect(targetAt(0, st, 20_000)).toBe(1000);
    expect(stagesDurationMs(st)).toBe(35_000);
  });

  it('spikes from a base to a peak and back', () => {
    const st = shapeStages({
      type: 'spike',
      base: 100,
      peak: 2000,
      before: 10_000,
      rise: 2_000,
      hold: 5_000,
      fall: 2_000,
      after: 10_000,
    });
    expect(targetAt(0, st, 5_000)).toBe(100);
    expect(targetAt(0, st, 13_000)).toBe(2000);
    expect(targetAt(0, st, 25_000)).toBe(100);
  });

  it('bursts the given number of times', () => {
    const st = shapeStages({ type: 'burst', base: 10, peak: 100, every: 10_000, burst: 4_000, count: 3 });
    const peaks = [7_500, 17_500, 27_500].map((t) => targetAt(0, st, t));
    expect(peaks).toEqual([100, 100, 100]);
    expect(targetAt(0, st, 3_000)).toBe(10);
    expect(stagesDurationMs(st)).toBe(30_000);
  });

  it('draws a day quiet before dawn and busiest in the evening', () => {
    const st = shapeStages({ type: 'diurnal', min: 100, max: 1000, day: 24_000, days: 1, steps: 48 });
    const at = (h: number) => targetAt(0, st, h * 1000);
    expect(at(4)).toBeLessThan(250);
    expect(Math.max(at(18), at(19), at(20))).toBeGreaterThan(900);
    expect(at(12)).toBeGreaterThan(at(8));
    const values = Array.from({ length: 48 }, (_, i) => at(i / 2));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(99.99);
    expect(Math.max(...values)).toBeLessThanOrEqual(1000.01);
    expect(diurnalFactor(4)).toBeLessThan(diurnalFactor(19));
  });

  it('soaks at a level for a long time', () => {
    const st = shapeStages({ type: 'soak', target: 300, rampUp: 60_000, duration: 3_600_000, rampDown: 0 });
    expect(targetAt(0, st, 1_800_000)).toBe(300);
    expect(stagesDurationMs(st)).toBe(3_660_000);
  });
});
