import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, repoRoot, runCliProcess, spawnCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

// The regression workflow as users run it: real `shakedown load` processes (the built CLI)
// against real local servers record into a real SQLite store; `compare` judges them.
//
// Reliability on a busy two-core machine: the two runs of the same server and the run of
// the slowed server go at the same time, so whatever else the machine does hits all three
// alike; the servers answer after 50 ms (60 ms: +20 %), so scheduling noise of a few ms is
// small against the 5 % tolerance; 20 one-second windows per run at 20 requests/s keep
// the load tiny while giving the rank test enough values.
const dir = mkdtempSync(join(tmpdir(), 'shakedown-regression-'));
const db = join(dir, 'results.db');
let base: TestServer;
let slow: TestServer;

beforeAll(async () => {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  base = await startTestServer((_req, res) => {
    setTimeout(() => res.end('ok'), 50);
  });
  slow = await startTestServer((_req, res) => {
    setTimeout(() => res.end('ok'), 60);
  });
});
afterAll(async () => {
  await base?.close();
  await slow?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runIdOf(r: CliRun): string {
  const m = /run (\S+) recorded in/.exec(r.stderr);
  if (!m) throw new Error(`no run id in stderr:\n${r.stderr}`);
  return m[1] as string;
}

const load = (url: string, seconds: number, extra: string[] = []) =>
  spawnCli([
    'load',
    `${url}/`,
    '--rate',
    '20/s',
    '--duration',
    `${seconds}s`,
    '--vus',
    '4',
    '--max-vus',
    '8',
    '--workers',
    '1',
    '--quiet',
    '--store',
    db,
    ...extra,
  ]);

describe('compare after real load runs', () => {
  let a1: string;
  let a2: string;
  let b: string;

  beforeAll(async () => {
    const runs = await Promise.all([
      load(base.url, 20).done,
      load(base.url, 20).done,
      load(slow.url, 20, ['--tag', 'build=slow']).done,
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    [a1, a2, b] = runs.map(runIdOf) as [string, string, string];
  }, 120_000);

  it('two runs of the same server: no regression, exit 0', async () => {
    const r = await runCliProcess(['compare', a1, a2, '--store', db]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^verdict: (pass|improved)/m);
  });

  it('the second server 20 % slower: exit 1, naming the latency metrics', async () => {
    const r = await runCliProcess(['compare', a1, b, '--store', db]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const verdict = r.stdout.split('\n').find((l) => l.startsWith('verdict:')) ?? '';
    expect(verdict).toMatch(/^verdict: REGRESSED — /);
    for (const m of ['latency_p50_ms', 'latency_mean_ms']) expect(verdict).toContain(`${m} (overall)`);
    expect(verdict).not.toContain('error_rate');

    const json = await runCliProcess(['compare', a1, b, '--store', db, '--format', 'json']);
    const doc = JSON.parse(json.stdout) as {
      verdict: string;
      metrics: Array<{ metric: string; verdict: string; effect: { relative: number } | null }>;
    };
    expect(doc.verdict).toBe('regressed');
    const p50 = doc.metrics.find((m) => m.metric === 'latency_p50_ms');
    expect(p50?.verdict).toBe('regressed');
    expect(p50?.effect?.relative).toBeGreaterThan(0.12);
    expect(p50?.effect?.relative).toBeLessThan(0.3);
  });

  it('names baselines, compares exported files and writes JUnit and Markdown', async () => {
    expect((await runCliProcess(['baseline', 'set', 'main', a1, '--store', db])).code).toBe(0);
    const list = await runCliProcess(['baseline', 'list', '--json', '--store', db]);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'main', runId: a1 }]);

    const fa = join(dir, 'a.json');
    const fb = join(dir, 'b.json');
    expect((await runCliProcess(['runs', 'export', a1, '-o', fa, '--store', db])).code).toBe(0);
    expect((await runCliProcess(['runs', 'export', b, '-o', fb, '--store', db])).code).toBe(0);
    // Files need no store at all.
    const files = await runCliProcess([
      'compare',
      fa,
      fb,
      '--store',
      join(dir, 'absent.db'),
      '--format',
      'junit',
    ]);
    expect(files.code).toBe(1);
    expect(files.stdout).toMatch(/<testsuites name="shakedown compare" tests="\d+" failures="[1-9]\d*"/);
    expect(files.stdout).toContain(
      '<testcase classname="shakedown.compare.overall" name="latency_p50_ms"><failure',
    );

    const md = await runCliProcess(['compare', 'main', b, '--store', db, '--format', 'markdown']);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('### shakedown compare: **REGRESSED**');
    expect(md.stdout).toContain('baseline "main"');

    const other = join(dir, 'imported.db');
    const imp = await runCliProcess(['runs', 'import', fa, fb, '--store', other]);
    expect(imp.code, imp.stderr).toBe(0);
    expect((await runCliProcess(['compare', a1, b, '--store', other])).code).toBe(1);
  });

  it('calls the rollback hook with the verdict JSON on a regression', async () => {
    const out = join(dir, 'hook.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, require('fs').readFileSync(0, 'utf8') + process.env.SHAKEDOWN_VERDICT)`;
    const r = await runCliProcess([
      'compare',
      a1,
      b,
      '--store',
      db,
      '--hook-cmd',
      JSON.stringify([process.execPath, '-e', script]),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hook command: ok/);
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('regressed')).toBe(true);
    expect(JSON.parse(text.slice(0, -'regressed'.length))).toMatchObject({ verdict: 'regressed' });
  });

  it('lists and shows the recorded runs with their tags', async () => {
    const r = await runCliProcess(['runs', 'list', '--json', '--store', db]);
    const runs = JSON.parse(r.stdout) as Array<{
      id: string;
      status: string;
      tags: Record<string, string>;
      windowCount: number;
    }>;
    expect(runs.map((x) => x.id).sort()).toEqual([a1, a2, b].sort());
    for (const x of runs) {
      expect(x.status).toBe('passed');
      expect(x.windowCount).toBeGreaterThanOrEqual(20);
    }
    expect(runs.find((x) => x.id === b)?.tags).toEqual({ build: 'slow' });
    // The three runs start in the same second, so their ids share the date and time: the
    // shortest prefix of b that no other id shares (random hex decides how long it is).
    let prefixLength = 'yyyymmdd-hhmmss-'.length + 1;
    while ([a1, a2].some((id) => id.startsWith(b.slice(0, prefixLength)))) prefixLength++;
    const show = await runCliProcess(['runs', 'show', b.slice(0, prefixLength), '--store', db]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`run       ${b}`);
    expect(show.stdout).toMatch(/run\.started/);
    expect(show.stdout).toMatch(/run\.finished/);
  });
});

describe('kill -9 of a running shakedown load', () => {
  it('leaves the database readable, earlier runs intact and the run aborted with its windows', async () => {
    const store = join(dir, 'killed.db');
    const first = await runCliProcess([
      'load',
      `${base.url}/`,
      '--rate',
      '10/s',
      '--duration',
      '2s',
      '--vus',
      '2',
      '--workers',
      '1',
      '-q',
      '--store',
      store,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const firstId = runIdOf(first);

    const victim = spawnCli([
      'load',
      `${base.url}/`,
      '--rate',
      '10/s',
      '--duration',
      '60s',
      '--vus',
      '2',
      '--workers',
      '1',
      '-q',
      '--store',
      store,
    ]);
    // Wait (bounded) until the running run has written a few seconds of windows.
    let runningId: string | undefined;
    for (let i = 0; i < 200 && !runningId; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const ro = new Database(store, { readonly: true, fileMustExist: true });
      try {
        const row = ro
          .prepare(
            "SELECT r.id, (SELECT COUNT(*) FROM windows w WHERE w.run_id = r.id) AS n FROM runs r WHERE r.status = 'running'",
          )
          .get() as { id: string; n: number } | undefined;
        if (row && row.n >= 3) runningId = row.id;
      } finally {
        ro.close();
      }
    }
    expect(runningId).toBeDefined();
    victim.child.kill('SIGKILL');
    const end = await victim.done;
    expect(end.signal).toBe('SIGKILL');

    const check = new Database(store, { fileMustExist: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    const shown = await runCliProcess(['runs', 'show', runningId as string, '--json', '--store', store]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toContain(
      `run ${runningId} had stopped without finishing (process-exited); marked aborted`,
    );
    const { run } = JSON.parse(shown.stdout) as {
      run: {
        status: string;
        abortReason: string;
        windowCount: number;
        summary: { requests: number; recovered: boolean };
      };
    };
    expect(run.status).toBe('aborted');
    expect(run.abortReason).toBe('process-exited');
    expect(run.windowCount).toBeGreaterThanOrEqual(3);
    expect(run.summary.recovered).toBe(true);
    expect(run.summary.requests).toBeGreaterThan(0);

    const before = await runCliProcess(['runs', 'show', firstId, '--json', '--store', store]);
    expect(JSON.parse(before.stdout).run).toMatchObject({ status: 'passed', windowCount: 2 });
  });
});
