import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { RevertJournal } from '../../src/chaos/run/journal.js';
import { runChaosSession } from '../../src/chaos/run/session.js';
import { parseSpecText } from '../../src/spec/load-spec.js';
import { chaosSpecText, chaosStateDir } from '../helpers/chaos.js';

// Experiments on a real local platform (mesh + fleet fixture replicas + load), in process.
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(chaos: string, name: string) {
  const loaded = parseSpecText(chaosSpecText(chaos), 'chaos-test.yaml', process.cwd());
  const stateDir = chaosStateDir();
  dirs.push(stateDir);
  const experiment = loaded.spec.chaos?.experiments[name];
  if (!experiment) throw new Error('no experiment');
  const [report] = await runChaosSession({
    loaded,
    experiments: [{ name, experiment }],
    stateDir,
    leaseMs: 2000,
    seed: 7,
    loadWorkers: 1,
  });
  if (!report) throw new Error('no report');
  return { report, stateDir };
}

describe('an experiment on the local platform', () => {
  it('latency breaks a p99 hypothesis while in force; it is reverted and recovery is measured', async () => {
    const { report, stateDir } = await run(
      `experiments:
  slow:
    load: { scenario: users, vus: 10 }
    before: 2s
    after: 3s
    hypothesis:
      interval: 250ms
      recovery: 2
      probes: [{ name: p99, type: metric, metric: p99, tolerance: "< 250ms", window: 1s }]
    method:
      - fault: { type: latency, service: api, latency: 300ms }
        duration: 3s`,
      'slow',
    );
    expect(report.status).toBe('failed');
    expect(report.hypothesis.verdict).toBe('violated');
    expect(report.hypothesis.firstViolation).toMatchObject({ probe: 'p99', phase: 'during' });
    expect(report.hypothesis.firstViolation?.value).toBeGreaterThanOrEqual(250);
    const f = report.faults[0];
    expect(f).toMatchObject({ type: 'latency', instant: false });
    expect(f?.revertedAt).not.toBeNull();
    expect(f?.timeToDetectMs).toBeGreaterThanOrEqual(0);
    expect(f?.timeToDetectMs).toBeLessThan(2500);
    expect(f?.timeToRecoverMs).not.toBeNull();
    expect(report.latencyByPhaseMs.during.p50).toBeGreaterThanOrEqual(290);
    expect(report.latencyByPhaseMs.before.p99).toBeLessThan(250);
    expect(report.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'fault.injected',
        'fault.reverted',
        'hypothesis.violated',
        'hypothesis.restored',
      ]),
    );
    expect(new RevertJournal(stateDir).active()).toEqual([]);
  }, 60_000);

  it('kills a replica every second: the fleet restarts it, availability holds, MTTR from events', async () => {
    const { report } = await run(
      `experiments:
  kill:
    load: { scenario: users, vus: 10 }
    before: 1s
    after: 3s
    hypothesis:
      interval: 250ms
      recovery: 2
      probes: [{ name: available, type: slo, objective: 99%, window: 2s }]
    method:
      - fault: { type: replica-kill, service: api, select: one }
        every: 1500ms
        duration: 3s`,
      'kill',
    );
    expect(report.faults).toHaveLength(2);
    for (const f of report.faults) {
      expect(f.instant).toBe(true);
      expect(f.targets[0]).toMatch(/^api-v1-\d$/);
      expect(f.recoveryEventAtMs).not.toBeNull();
      expect(f.timeToRecoverMs).toBeGreaterThan(0);
      expect(f.timeToRecoverMs).toBeLessThan(5000);
    }
    expect(report.mttr.count).toBe(2);
    expect(report.mttr.maxMs).toBeLessThan(5000);
    expect(report.availability.during).toBeGreaterThan(0.99);
    expect(report.requests).toBeGreaterThan(100);
    expect(report.timeline.filter((e) => e.kind === 'replica.exited')).toHaveLength(2);
  }, 60_000);
});
