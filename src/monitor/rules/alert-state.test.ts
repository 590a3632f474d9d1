import { describe, expect, it } from 'vitest';
import { type AlertInstance, stepAlerts } from './alert-state.js';

const lab = { alertname: 'High', job: 'api' };
const present = (value = 1) => [{ labels: lab, annotations: { summary: `v=${value}` }, value }];

function run(steps: Array<{ t: number; on: boolean }>, forMs: number, keepMs: number) {
  let alerts = new Map<string, AlertInstance>();
  const log: string[] = [];
  for (const s of steps) {
    const r = stepAlerts(alerts, s.on ? present(s.t) : [], s.t, forMs, keepMs);
    alerts = r.alerts;
    for (const tr of r.transitions) log.push(`${s.t}:${tr.type}`);
  }
  return { alerts, log };
}

describe('alert life cycle (Prometheus semantics)', () => {
  it('pending → firing after `for`, then resolved when the series goes', () => {
    const { log, alerts } = run(
      [
        { t: 0, on: true },
        { t: 10, on: true },
        { t: 20, on: true },
        { t: 30, on: false },
      ],
      20,
      0,
    );
    expect(log).toEqual(['0:pending', '20:firing', '30:resolved']);
    const a = [...alerts.values()][0];
    expect(a?.state).toBe('inactive');
    expect(a?.resolvedAtMs).toBe(30);
    expect(a?.activeAtMs).toBe(0);
  });

  it('fires at once with for: 0 and updates value and annotations while firing', () => {
    let alerts = new Map<string, AlertInstance>();
    let r = stepAlerts(alerts, present(1), 0, 0, 0);
    expect(r.transitions.map((t) => t.type)).toEqual(['firing']);
    alerts = r.alerts;
    r = stepAlerts(alerts, present(7), 5, 0, 0);
    expect(r.transitions).toEqual([]);
    expect([...r.alerts.values()][0]?.annotations.summary).toBe('v=7');
    expect([...r.alerts.values()][0]?.firedAtMs).toBe(0);
  });

  it('a pending alert that goes away is dropped without a resolved notification', () => {
    const { log, alerts } = run(
      [
        { t: 0, on: true },
        { t: 10, on: false },
      ],
      60,
      0,
    );
    expect(log).toEqual(['0:pending']);
    expect(alerts.size).toBe(0);
  });

  it('keep_firing_for keeps a firing alert through a gap, then resolves', () => {
    const { log } = run(
      [
        { t: 0, on: true },
        { t: 10, on: false },
        { t: 20, on: true },
        { t: 30, on: false },
        { t: 40, on: false },
        { t: 55, on: false },
      ],
      0,
      25,
    );
    expect(log).toEqual(['0:firing', '55:resolved']);
  });

  it('forgets resolved alerts after 15 minutes; a new occurrence starts pending again', () => {
    const { log, alerts } = run(
      [
        { t: 0, on: true },
        { t: 1, on: false },
        { t: 2, on: true },
        { t: 3, on: false },
        { t: 3 + 15 * 60_000 + 1, on: false },
      ],
      0,
      0,
    );
    expect(log).toEqual(['0:firing', '1:resolved', '2:firing', '3:resolved']);
    expect(alerts.size).toBe(0);
  });
});
