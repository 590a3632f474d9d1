import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticWindows } from '../../../test/helpers/runs.js';
import { createRandom } from '../../core/random.js';
import { encodeWindow } from '../../core/window.js';
import { openStore } from '../../store/open.js';
import type { CliContext } from '../context.js';
import { runCli } from '../main.js';

// runs / baseline / compare / trend in-process against a real SQLite store filled with
// synthetic runs (the e2e test drives the same commands after real load runs).
const dir = mkdtempSync(join(tmpdir(), 'shakedown-cli-'));
const db = join(dir, 'results.db');
const ids: string[] = [];
const T0 = 1_780_000_000_000;

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...env },
    cwd: dir,
    onInterrupt: () => () => {},
    setExitCode: () => {},
  };
  const code = await runCli(args, ctx);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  const r = createRandom(21);
  const { store } = await openStore(db, { create: true });
  // 24 runs of one test: latency 40 ms, then 52 ms from run 18 on (a regression).
  for (let i = 0; i < 24; i++) {
    const startMs = T0 + i * 3_600_000;
    const run = await store.createRun({
      kind: 'load',
      startMs,
      plannedDurationMs: 20_000,
      gitSha: `sha${i}`,
      gitBranch: i % 2 ? 'feature' : 'main',
      tags: { team: 'checkout' },
      pid: null,
    });
    const windows = syntheticWindows(r, startMs, 20, [{ medianMs: i < 18 ? 40 : 52, requests: 60 }]);
    await store.appendWindows(run.id, windows.map(encodeWindow), startMs + 20_000);
    await store.finishRun(run.id, {
      status: 'passed',
      endMs: startMs + 20_000,
      summary: { requests: 1200, rps: 60, errorRate: 0, latencyMs: { p99: 50 } },
    });
    ids.push(run.id);
  }
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shakedown runs', () => {
  it('lists newest first, filters, and prints JSON', async () => {
    const text = await cli(['runs', '--store', db, '--limit', '3']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+STATUS\s+STARTED/);
    expect(lines[1]?.startsWith(ids[23] as string)).toBe(true);
    expect(lines).toHaveLength(4);
    const json = await cli(['runs', 'list', '--json', '--store', db, '--branch', 'main', '--limit', '50']);
    const runs = JSON.parse(json.stdout) as Array<{ gitBranch: string }>;
    expect(runs).toHaveLength(12);
    expect(runs.every((x) => x.gitBranch === 'main')).toBe(true);
    expect(
      JSON.parse((await cli(['runs', 'list', '--json', '--store', db, '--tag', 'team=none'])).stdout),
    ).toEqual([]);
  });

  it('shows one run by prefix', async () => {
    const r = await cli(['runs', 'show', (ids[3] as string).slice(0, 17), '--store', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`run       ${ids[3]}`);
    expect(r.stdout).toContain('windows   20');
  });

  it('fails clearly on a missing store, an unknown run and a bad flag', async () => {
    const none = await cli(['runs', '--store', join(dir, 'absent.db')]);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/E_NO_STORE.*no results store at/);
    const unknown = await cli(['runs', 'show', 'zzz', '--store', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run "zzz"');
    expect((await cli(['runs', '--status', 'weird', '--store', db])).code).toBe(2);
  });

  it('exports to a file and stdout', async () => {
    const out = join(dir, 'x.json');
    expect((await cli(['runs', 'export', ids[0] as string, '-o', out, '--store', db])).code).toBe(0);
    const x = JSON.parse(readFileSync(out, 'utf8'));
    expect(x).toMatchObject({ format: 'shakedown.run', version: 1, run: { id: ids[0] } });
    expect(x.windows).toHaveLength(20);
    const stdout = await cli(['runs', 'export', ids[0] as string, '--store', db]);
    expect(JSON.parse(stdout.stdout).run.id).toBe(ids[0]);
    const dup = await cli(['runs', 'import', out, '--store', db]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('already in the results store');
  });
});

describe('shakedown baseline and compare', () => {
  it('sets and lists baselines; compares by name; exits 1 on a regression, 0 otherwise', async () => {
    expect((await cli(['baseline', 'set', 'main', ids[10] as string, '--store', db])).stdout).toContain(
      `baseline main → run ${ids[10]}`,
    );
    expect((await cli(['baseline', '--store', db])).stdout).toMatch(/^main\s+\S+\s+set /);
    expect((await cli(['baseline', 'set', 'latest', ids[1] as string, '--store', db])).code).toBe(2);
    const same = await cli(['compare', 'main', ids[11] as string, '--store', db]);
    expect(same.code, same.stdout).toBe(0);
    const worse = await cli(['compare', 'main', 'latest', '--store', db, '--bootstrap', '100']);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toContain('(baseline "main", 20 s)');
    expect(worse.stdout).toContain('(latest run, 20 s)');
    expect(worse.stdout).toMatch(/^verdict: REGRESSED — latency_p50_ms \(overall\)/m);
  });

  it('honours the tolerance and confidence flags and rejects bad values', async () => {
    const loose = await cli([
      'compare',
      ids[10] as string,
      ids[20] as string,
      '--store',
      db,
      '--tolerance',
      '50%',
    ]);
    expect(loose.code).toBe(0);
    expect(
      (await cli(['compare', ids[10] as string, ids[20] as string, '--store', db, '--confidence', '150%']))
        .code,
    ).toBe(2);
    expect(
      (await cli(['compare', ids[10] as string, ids[20] as string, '--store', db, '--metric', 'nope'])).code,
    ).toBe(2);
    expect(
      (await cli(['compare', ids[10] as string, ids[20] as string, '--store', db, '--format', 'html'])).code,
    ).toBe(2);
    expect(
      (await cli(['compare', ids[10] as string, ids[20] as string, '--store', db, '--hook-cmd', 'rm -rf /']))
        .code,
    ).toBe(2);
    const missing = await cli(['compare', 'nosuch', ids[20] as string, '--store', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is not a run id, a baseline name or an exported run file');
  });
});

describe('shakedown trend', () => {
  it('finds the change point at the run where latency rose and exits 1 while it is recent', async () => {
    const r = await cli(['trend', 'latency_p50_ms', '--store', db, '--recent', '10']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(ids[18] as string);
    expect(r.stdout).toMatch(/REGRESSION: latency_p50_ms \+\d+\.\d % since run/);
    const json = JSON.parse(
      (await cli(['trend', 'latency_p50_ms', '--store', db, '--json', '--recent', '10'])).stdout,
    );
    const step = json.changePoints.find((c: { index: number }) => c.index === 18);
    expect(step).toMatchObject({ runId: ids[18], gitSha: 'sha18', kind: 'regression' });
    expect(step.changePercent).toBeGreaterThan(20);
    expect(step.pValue).toBeLessThan(0.001);
    expect(json.regression.runId).toBe(ids[18]);
    // Anything else found is small: below the tolerance, so it cannot fail the check.
    for (const c of json.changePoints) if (c.index !== 18) expect(Math.abs(c.changePercent)).toBeLessThan(5);
    expect(json.points).toHaveLength(24);
  });

  it('passes when the change is older than the recent runs, and filters by branch', async () => {
    expect((await cli(['trend', 'latency_p50_ms', '--store', db, '--recent', '3'])).code).toBe(0);
    const main = JSON.parse(
      (await cli(['trend', 'latency_p99_ms', '--store', db, '--json', '--branch', 'main'])).stdout,
    );
    expect(main.points).toHaveLength(12);
    expect((await cli(['trend', 'latency_p50_ms', '--store', db, '--request', 'x'])).code).toBe(2);
    expect((await cli(['trend', 'bogus', '--store', db])).code).toBe(2);
  });
});

describe('shakedown trend: one test at a time', () => {
  it("follows the newest run's spec unless told otherwise", async () => {
    const path = join(dir, 'specs.db');
    const r = createRandom(8);
    const { store } = await openStore(path, { create: true });
    for (let i = 0; i < 10; i++) {
      const startMs = T0 + i * 60_000;
      const run = await store.createRun({
        kind: 'load',
        startMs,
        specHash: i < 6 ? 'aaaa' : 'bbbb',
        pid: null,
      });
      const ws = syntheticWindows(r, startMs, 5, [{}]).map(encodeWindow);
      await store.appendWindows(run.id, ws);
      await store.finishRun(run.id, { status: 'passed', endMs: startMs + 5000, summary: null });
    }
    await store.close();
    const points = async (extra: string[]) =>
      JSON.parse((await cli(['trend', 'latency_p50_ms', '--store', path, '--json', ...extra])).stdout).points
        .length;
    expect(await points([])).toBe(4);
    expect(await points(['--spec-hash', 'aaaa'])).toBe(6);
    expect(await points(['--all-specs'])).toBe(10);
  });
});
