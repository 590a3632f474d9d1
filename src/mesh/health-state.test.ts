import { describe, expect, it } from 'vitest';
import { type HealthState, newHealthState, nextHealth, statusPasses } from './health-state.js';

const t = { healthyThreshold: 2, unhealthyThreshold: 3 };
function run(results: boolean[], s: HealthState = newHealthState()): boolean[] {
  const out: boolean[] = [];
  for (const r of results) {
    s = nextHealth(s, r, t).state;
    out.push(s.healthy);
  }
  return out;
}

describe('active health state', () => {
  it('starts healthy and needs consecutive failures to turn unhealthy', () => {
    expect(newHealthState().healthy).toBe(true);
    expect(run([false, false, true, false, false, false])).toEqual([true, true, true, true, true, false]);
  });
  it('needs consecutive passes to come back', () => {
    expect(run([false, false, false, true, false, true, true])).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      true,
    ]);
  });
  it('reports the flip', () => {
    let s = newHealthState();
    const flips: boolean[] = [];
    for (const r of [false, false, false, true, true]) {
      const n = nextHealth(s, r, t);
      flips.push(n.changed);
      s = n.state;
    }
    expect(flips).toEqual([false, false, true, false, true]);
  });
  it('threshold 1 flips at once', () => {
    let s = newHealthState();
    s = nextHealth(s, false, { healthyThreshold: 1, unhealthyThreshold: 1 }).state;
    expect(s.healthy).toBe(false);
  });
  it('judges statuses: 2xx/3xx by default, or the listed ones', () => {
    expect(statusPasses(200, [])).toBe(true);
    expect(statusPasses(302, [])).toBe(true);
    expect(statusPasses(404, [])).toBe(false);
    expect(statusPasses(503, [])).toBe(false);
    expect(statusPasses(204, [200])).toBe(false);
    expect(statusPasses(418, [418])).toBe(true);
  });
});
