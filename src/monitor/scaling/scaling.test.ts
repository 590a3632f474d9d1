import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.js';
import { SeasonalForecaster } from './forecast.js';
import { defaultScalingPolicy, recommendReplicas } from './recommend.js';

// A generated diurnal request rate (deterministic: seeded noise): 100–900 req/s, peak
// at 15:00, five days at one point per 5 minutes. Capacity 100 req/s per replica.
const stepMs = 300_000;
const dayMs = 86_400_000;
const t0 = Date.UTC(2026, 0, 1);
function rateAt(t: number, rnd: ReturnType<typeof createRandom>): number {
  const phase = ((t - t0) % dayMs) / dayMs;
  return 500 + 400 * Math.cos(2 * Math.PI * (phase - 15 / 24)) + 15 * rnd.normal();
}

describe('predictive scaling', () => {
  const policy = {
    ...defaultScalingPolicy,
    targetPerReplica: 100,
    headroom: 0.2,
    stabilizationMs: 1_800_000,
    maxReplicas: 50,
  };
  const leadMs = 3_600_000;

  /** Replays the series; `signal` gives what the decision sees at t (forecast peak or current rate). */
  function replay(signal: 'forecast' | 'reactive') {
    const rnd = createRandom(11);
    const f = new SeasonalForecaster({ seasonMs: dayMs, alpha: 0.2, beta: 0.001, gamma: 0.3 });
    const desiredHistory: Array<{ t: number; replicas: number }> = [];
    const applied: Array<{ t: number; replicas: number }> = [];
    let replicas = 2;
    for (let t = t0; t < t0 + 5 * dayMs; t += stepMs) {
      const rate = rateAt(t, rnd);
      f.observe(t, rate);
      const rec = recommendReplicas(
        signal === 'forecast' ? f.peak(leadMs) : rate,
        replicas,
        policy,
        desiredHistory,
        t,
      );
      desiredHistory.push({ t, replicas: rec.desired });
      replicas = rec.replicas;
      applied.push({ t, replicas });
    }
    return { f, applied };
  }

  it('on the fifth day, has the replicas the peak needs well before the peak, earlier than reacting would', () => {
    const day5 = t0 + 4 * dayMs;
    const peakT = day5 + 15 * 3_600_000;
    const neededAtPeak = Math.ceil((900 * 1.2) / 100); // 11
    const reached = (a: Array<{ t: number; replicas: number }>) =>
      a.find((x) => x.t >= day5 && x.replicas >= neededAtPeak)?.t ?? Number.POSITIVE_INFINITY;
    const forecast = replay('forecast');
    const reactive = replay('reactive');
    expect(forecast.f.ready).toBe(true);
    // Nothing changes during the first season, while there is no forecast yet.
    expect(forecast.applied.filter((x) => x.t < t0 + dayMs - 2 * stepMs).every((x) => x.replicas === 2)).toBe(
      true,
    );
    const leadFound = peakT - reached(forecast.applied);
    const leadReactive = peakT - reached(reactive.applied);
    expect(leadFound, `forecast ready ${leadFound / 60_000} min before the peak`).toBeGreaterThanOrEqual(
      45 * 60_000,
    );
    expect(
      leadFound - leadReactive,
      `reactive scaling ready ${leadReactive / 60_000} min before`,
    ).toBeGreaterThanOrEqual(30 * 60_000);
    // Capacity covers the actual load at the peak, and is released in the night.
    const at = (t: number) => forecast.applied.find((x) => x.t === t)?.replicas ?? 0;
    expect(at(peakT) * 100).toBeGreaterThanOrEqual(900);
    expect(at(day5 + 3 * 3_600_000)).toBeLessThanOrEqual(3);
  });

  it('follows the HPA rules: tolerance, clamping and scale-down stabilisation', () => {
    const p = { ...policy, headroom: 0, stabilizationMs: 300_000, minReplicas: 2, maxReplicas: 10 };
    expect(recommendReplicas(1000, 5, p, [], 0)).toEqual({ replicas: 10, desired: 10, reason: 'scale-up' });
    expect(recommendReplicas(520, 5, p, [], 0)).toMatchObject({ replicas: 5, reason: 'within-tolerance' }); // 4 % off
    expect(recommendReplicas(5000, 5, p, [], 0).replicas).toBe(10); // max
    expect(recommendReplicas(10, 5, p, [], 0).replicas).toBe(2); // min
    const hist = [{ t: 0, replicas: 8 }];
    expect(recommendReplicas(300, 8, p, hist, 200_000)).toMatchObject({
      replicas: 8,
      desired: 3,
      reason: 'stabilized',
    });
    expect(recommendReplicas(300, 8, p, hist, 400_000)).toMatchObject({ replicas: 3, reason: 'scale-down' });
    expect(recommendReplicas(Number.NaN, 4, p, [], 0)).toMatchObject({ replicas: 4, reason: 'no-forecast' });
  });
});
