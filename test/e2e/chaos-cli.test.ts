import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RevertJournal } from '../../src/chaos/run/journal.js';
import type { ChaosReport } from '../../src/chaos/run/report.js';
import { chaosSpecText } from '../helpers/chaos.js';
import { runCliProcess, spawnCli } from '../helpers/cli.js';

// The chaos command as users meet it: help, the dry run, located spec errors, schedules,
// Ctrl-C — on the small fixture platform (seconds per run).
const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const specFile = join(dir, 'shakedown.yaml');
writeFileSync(
  specFile,
  chaosSpecText(`experiments:
  quick:
    before: 500ms
    after: 500ms
    hypothesis: { interval: 250ms, probes: [{ type: http, url: / }] }
    method:
      - fault: { type: replica-kill, service: api, select: 50% }
      - wait: 500ms
  slow-forever:
    before: 0s
    after: 0s
    method:
      - fault: { type: latency, service: api, latency: 100ms }
        duration: 10m
schedules:
  twice: { experiments: [quick], every: 1s, times: 2 }`),
);

describe('shakedown chaos (CLI)', () => {
  it('has --help for chaos and each subcommand', async () => {
    for (const args of [['chaos'], ['chaos', 'run'], ['chaos', 'render'], ['chaos', 'stop']]) {
      const r = await runCliProcess([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: shakedown chaos/);
    }
    const run = await runCliProcess(['chaos', 'run', '--help']);
    expect(run.stdout).toMatch(/--dry-run/);
    expect(run.stdout).toMatch(/Exit codes: 0 every hypothesis held, 99/);
  });

  it('--dry-run prints the plan and the candidate targets, injects nothing', async () => {
    const state = join(dir, 'dry');
    const r = await runCliProcess(['chaos', 'run', specFile, '--dry-run', '--state-dir', state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/experiment quick \(dry run: nothing is injected\)/);
    expect(r.stdout).toMatch(/replica-kill service=api select=50%/);
    expect(r.stdout).toMatch(/→ 50% of api-v1-0, api-v1-1/);
    expect(r.stdout).toMatch(/latency service=api .* for 10m \(ttl 10m30s\)/);
    const json = await runCliProcess([
      'chaos',
      'run',
      specFile,
      '--dry-run',
      '--json',
      '--experiment',
      'quick',
    ]);
    const [plan] = JSON.parse(json.stdout) as Array<{ experiment: string; items: Array<{ what: string }> }>;
    expect(plan?.experiment).toBe('quick');
    expect(plan?.items.map((i) => i.what)).toEqual([
      'replica-kill service=api select=50% signal=SIGKILL',
      'wait',
    ]);
    expect(new RevertJournal(state).active()).toEqual([]);
  });

  it('names the place of a spec error and exits 2; unknown experiments too', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\nchaos:\n  experiments:\n    x:\n      method:\n        - fault: { type: replica-kill, service: api, select: most }\n',
    );
    const r = await runCliProcess(['chaos', 'run', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+: .*invalid selector "most"/);
    const u = await runCliProcess(['chaos', 'run', specFile, '--experiment', 'nope']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown experiment "nope".*\n.*experiments: quick, slow-forever/);
  });

  it('runs a schedule the times it says, one report each', async () => {
    const r = await runCliProcess([
      'chaos',
      'run',
      specFile,
      '--schedule',
      'twice',
      '--state-dir',
      join(dir, 'schedule'),
      '--no-store',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const reports = JSON.parse(r.stdout) as ChaosReport[];
    expect(reports.map((x) => x.experiment)).toEqual(['quick', 'quick']);
    expect(reports.every((x) => x.status === 'passed' && x.faults[0]?.type === 'replica-kill')).toBe(true);
    expect((reports[1]?.startedAt ?? 0) - (reports[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(r.stderr).toMatch(/schedule twice: next run at/);
  }, 60_000);

  it('Ctrl-C reverts the fault in force and exits 130', async () => {
    const state = join(dir, 'int');
    const run = spawnCli([
      'chaos',
      'run',
      specFile,
      '--experiment',
      'slow-forever',
      '--state-dir',
      state,
      '--no-store',
    ]);
    let err = '';
    run.child.stderr?.on('data', (d) => {
      err += d;
    });
    const end = Date.now() + 20_000;
    while (!err.includes('fault.injected') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(new RevertJournal(state).active()).toHaveLength(1);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/experiment slow-forever: ABORTED/);
    expect(err).toMatch(/fault\.reverted\s+\S+\s+latency \(interrupted\)/);
    expect(new RevertJournal(state).active()).toEqual([]);
  }, 60_000);

  it('chaos stop asks a running controller to stop: it reverts and exits 130', async () => {
    const state = join(dir, 'stop');
    const run = spawnCli([
      'chaos',
      'run',
      specFile,
      '--experiment',
      'slow-forever',
      '--state-dir',
      state,
      '--no-store',
    ]);
    let err = '';
    run.child.stderr?.on('data', (d) => {
      err += d;
    });
    const end = Date.now() + 20_000;
    while (!err.includes('fault.injected') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const stop = await runCliProcess(['chaos', 'stop', '--state-dir', state]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`asked controller pid ${run.child.pid} to stop`));
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(err).toMatch(/fault\.reverted\s+\S+\s+latency \(interrupted\)/);
    expect(new RevertJournal(state).active()).toEqual([]);
    const again = await runCliProcess(['chaos', 'stop', '--state-dir', state]);
    expect(again.stdout).toBe('no chaos fault in force\n');
  }, 60_000);
});
