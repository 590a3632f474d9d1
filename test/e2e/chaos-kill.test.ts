import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../src/chaos/run/report.js';
import { openStore } from '../../src/store/open.js';
import { runCliProcess } from '../helpers/cli.js';

// Acceptance: one catalog replica SIGKILLed every 10 s for 60 s under 2,000 shoppers on the
// example shop (mesh + replicas as processes, the shoppers scenario through the mesh):
// availability during the faults ≥ 99.9 % and MTTR < 30 s, both in the report, which is
// stored as a run of kind chaos.
const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shakedown chaos run: catalog-kill on the shop', () => {
  it('keeps ≥ 99.9 % availability with a replica killed every 10 s, MTTR < 30 s, recorded', async () => {
    const store = join(dir, 'results.db');
    const r = await runCliProcess([
      'chaos',
      'run',
      'examples/shop/shakedown.yaml',
      '--experiment',
      'catalog-kill',
      '--free-ports',
      '--state-dir',
      join(dir, 'state'),
      '--store',
      store,
      '--seed',
      '11',
      '--json',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout) as ChaosReport[];
    if (!report) throw new Error('no report');
    expect(report.status).toBe('passed');
    expect(report.faults).toHaveLength(6);
    expect(
      report.faults.every((f) => f.type === 'replica-kill' && /^catalog-v1-\d$/.test(f.targets[0] ?? '')),
    ).toBe(true);
    expect(report.traffic.during.requests).toBeGreaterThan(20_000);
    expect(report.availability.during).toBeGreaterThanOrEqual(0.999);
    expect(report.mttr).toMatchObject({ count: 6, unrecovered: 0 });
    expect(report.mttr.maxMs).toBeLessThan(30_000);
    expect(report.mttr.meanMs).toBeGreaterThan(0);
    // MTTR comes from events: every killed replica exited and was ready again.
    const exits = report.timeline.filter((e) => e.kind === 'replica.exited');
    expect(exits).toHaveLength(6);
    for (const f of report.faults) expect(f.recoveryEventAtMs).toBeGreaterThan(f.injectedAt);

    const { store: s } = await openStore(store);
    try {
      const run = await s.getRun(report.runId as string);
      expect(run).toMatchObject({ kind: 'chaos', status: 'passed' });
      expect((run?.summary as ChaosReport | undefined)?.availability.during).toBe(report.availability.during);
      expect((await s.windows(report.runId as string)).length).toBeGreaterThan(60);
      expect((await s.events(report.runId as string)).some((e) => e.kind === 'fault.injected')).toBe(true);
    } finally {
      await s.close();
    }
  }, 180_000);
});
