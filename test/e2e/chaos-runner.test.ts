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

async function run(chaos: string, name: string, signal?: AbortSignal) {
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
    ...(signal ? { signal } : {}),
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

  it('Ctrl-C mid-fault reverts everything at once and marks the experiment aborted', async () => {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 2500);
    const t0 = Date.now();
    const { report, stateDir } = await run(
      `experiments:
  long:
    before: 1s
    after: 5s
    hypothesis: { probes: [{ type: http, url: / }] }
    method:
      - fault: { type: abort, service: api, status: 503, percentage: 50% }
        duration: 1m`,
      'long',
      stop.signal,
    );
    clearTimeout(timer);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(report).toMatchObject({ status: 'aborted', abortedBy: 'interrupted' });
    expect(report.faults[0]?.revertedAt).toBeLessThan(t0 + 5000);
    expect(report.timeline.find((e) => e.kind === 'fault.reverted')?.data.reason).toBe('interrupted');
    expect(new RevertJournal(stateDir).active()).toEqual([]);
  }, 60_000);

  it('the abort condition stops a run that goes too far, reverting the fault', async () => {
    const { report } = await run(
      `experiments:
  too-far:
    load: { scenario: users, vus: 10 }
    before: 1s
    hypothesis: { interval: 250ms, probes: [{ type: http, url: /, status: [200] }] }
    abort:
      - probe: { type: metric, metric: error_rate, tolerance: "< 5%", window: 1s }
        for: 500ms
    method:
      - fault: { type: abort, service: api, status: 500 }
        duration: 1m`,
      'too-far',
    );
    expect(report.status).toBe('aborted');
    expect(report.abortedBy).toBe('abort-condition');
    expect(report.reason).toMatch(/error_rate .* \(tolerance < 5%\)/);
    const f = report.faults[0];
    expect((f?.revertedAt ?? 0) - (f?.injectedAt ?? 0)).toBeLessThan(10_000);
    expect(report.timeline.some((e) => e.kind === 'experiment.aborting')).toBe(true);
  }, 60_000);
});
