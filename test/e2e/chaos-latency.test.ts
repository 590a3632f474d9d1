import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../src/chaos/run/report.js';
import { runCliProcess } from '../helpers/cli.js';

// Acceptance: 300 ms added to every catalog answer on the example shop: the hypothesis
// "p99 < 250 ms" fails, and the report says when (and the fault is gone afterwards).
const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-latency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shakedown chaos run: catalog-latency on the shop', () => {
  it('fails the p99 < 250 ms hypothesis while the latency is in force, and shows when', async () => {
    const r = await runCliProcess([
      'chaos',
      'run',
      'examples/shop/shakedown.yaml',
      '--experiment',
      'catalog-latency',
      '--free-ports',
      '--state-dir',
      join(dir, 'state'),
      '--no-store',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(99);
    const [report] = JSON.parse(r.stdout) as ChaosReport[];
    if (!report) throw new Error('no report');
    expect(report.status).toBe('failed');
    expect(report.hypothesis.verdict).toBe('violated');
    const v = report.hypothesis.firstViolation;
    expect(v).toMatchObject({ probe: 'p99-under-250ms', phase: 'during' });
    const fault = report.faults[0];
    if (!fault || !v) throw new Error('no fault or violation');
    // When: after the injection, within a few seconds of it (the probe's 3 s window).
    expect(v.t).toBeGreaterThanOrEqual(fault.injectedAt);
    expect(v.t - fault.injectedAt).toBeLessThan(5000);
    expect(report.hypothesis.firstViolationAfterMs).toBe(v.t - report.startedAt);
    expect(v.value).toBeGreaterThanOrEqual(250);
    expect(fault.timeToDetectMs).toBe(v.t - fault.injectedAt);
    expect(report.latencyByPhaseMs.during.p99).toBeGreaterThanOrEqual(300);
    expect(report.latencyByPhaseMs.before.p99).toBeLessThan(250);
    // The console form says the same (text mode is what people read).
    expect(r.stderr).toMatch(/hypothesis\.violated\s+catalog-latency\s+p99-under-250ms: p99 \d+/);
    // Reverted, and the hypothesis came back after it.
    expect(fault.revertedAt).not.toBeNull();
    expect(
      report.timeline.some((e) => e.kind === 'hypothesis.restored' && e.t > (fault.revertedAt ?? 0)),
    ).toBe(true);
    expect(fault.timeToRecoverMs).not.toBeNull();
  }, 120_000);
});
