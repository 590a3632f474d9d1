import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionRegistry } from '../../src/monitor/actions/registry.js';
import type { Alert } from '../../src/monitor/alert.js';
import { triggerHooks } from '../../src/regression/hook.js';
import { binPath, type CliRun, repoRoot, runCliProcess, spawnCli } from '../helpers/cli.js';
import { eventually, fixtureService } from '../helpers/fleet.js';

// `shakedown rollout` as real processes against a real `shakedown up`: a paused canary is
// inspected with `status`, continued with `promote`, rolled back by `watch`'s rollback
// action (the real action code posting to the controller with the bearer token); `undo`
// and `render --validate` round it off.
const dir = mkdtempSync(join(tmpdir(), 'shakedown-rollout-cli-'));
const stateDir = join(dir, 'state');
const store = join(dir, 'results.db');
const specFile = join(dir, 'shakedown.yaml');
let up: ReturnType<typeof spawnCli>;

writeFileSync(
  specFile,
  `
mesh:
  listeners: [{ name: http, port: 0 }]
  services:
    api: { versions: { v1: { weight: 100 }, v2: { weight: 0 } } }
services:
  api:
    run: [node, ${JSON.stringify(fixtureService)}]
    probes: { readiness: { http: /readyz, interval: 200ms } }
    stop: { grace: 2s, drainTimeout: 2s }
    versions: { v1: {}, v2: { replicas: 0 } }
rollout:
  api:
    version: v2
    scaleDownDelay: 500ms
    abortScaleDownDelay: 500ms
    canary:
      steps:
        - setWeight: 25
        - pause: {}
        - setWeight: 50
        - pause: {}
`,
);

const cli = (args: string[]) => runCliProcess(args, { cwd: dir });
const status = async () =>
  JSON.parse(
    (await cli(['rollout', 'status', 'api', '--state-dir', stateDir, '--store', store, '--json'])).stdout,
  );

beforeAll(async () => {
  up = spawnCli(['up', specFile, '--state-dir', stateDir, '--free-ports', '--quiet'], { cwd: dir });
  expect(await eventually(() => present('state/up.json'), 20_000)).toBe(true);
});
afterAll(async () => {
  up?.child.kill('SIGTERM');
  await up?.done;
});

const readJson = (rel: string) => JSON.parse(readFileSync(join(dir, rel), 'utf8'));
function present(rel: string): boolean {
  try {
    return readJson(rel) !== undefined;
  } catch {
    return false;
  }
}

describe('shakedown rollout (CLI)', () => {
  it('start pauses, status shows it, promote continues, the watch rollback action rolls it back (and needs the token)', async () => {
    const start = spawnCli(['rollout', 'start', 'api', '--state-dir', stateDir, '--store', store], {
      cwd: dir,
    });
    expect(await eventually(() => present('state/rollouts/api.json'), 20_000)).toBe(true);
    let s: { live: boolean; status: { phase: string; step: number; weight: number } } = await status();
    for (let i = 0; i < 50 && s.status.phase !== 'paused'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      s = await status();
    }
    expect(s).toMatchObject({ live: true, status: { phase: 'paused', step: 1, weight: 25 } });
    const text = (await cli(['rollout', 'status', 'api', '--state-dir', stateDir])).stdout;
    expect(text).toMatch(/^api v1 → v2 \(canary\): paused, step 2\/4, weight 25 %/);
    expect(text).toContain('▶  2 pause (until promoted)');

    const promoted = await cli(['rollout', 'promote', 'api', '--state-dir', stateDir]);
    expect(promoted.code).toBe(0);
    for (let i = 0; i < 50 && (s.status.step !== 3 || s.status.phase !== 'paused'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      s = await status();
    }
    expect(s.status).toMatchObject({ phase: 'paused', step: 3, weight: 50 });

    // A watch alert: the `rollback` action as `shakedown watch` runs it.
    const live = readJson('state/rollouts/api.json');
    const anonymous = await fetch(`${live.url}/v1/rollouts/api/abort`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    const plugin = actionRegistry().get('rollback');
    const action = plugin.create(
      plugin.schema.parse({
        type: 'rollback',
        adminUrl: live.url,
        tokenFile: join(stateDir, 'admin-token'),
        rollout: 'api',
      }),
      { clock: { now: Date.now, monotonicMs: Date.now, sleep: async () => {} }, baseDir: dir },
    );
    const outcome = await action.run(
      { labels: { alertname: 'ApiErrors' } } as unknown as Alert,
      new AbortController().signal,
    );
    expect(outcome.ok, outcome.detail).toBe(true);

    const r: CliRun = await start.done;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rolled back api to v1: rollback requested \(watch alert\)/);
    expect(r.stderr).toContain('aborting (watch)');
    const after = await status();
    expect(after).toMatchObject({ live: false, status: { phase: 'aborted', abortedBy: 'watch', weight: 0 } });
    const weights = await fetch(`${readJson('state/up.json').adminUrl}/v1/services/api/weights`);
    expect(await weights.json()).toEqual({ weights: { v1: 100, v2: 0 } });
  });

  it("compare's regression hook (--hook-cmd running `rollout abort`) rolls a paused rollout back", async () => {
    const start = spawnCli(['rollout', 'start', 'api', '--state-dir', stateDir, '--store', store], {
      cwd: dir,
    });
    let s = { live: false, status: { phase: '' } };
    for (let i = 0; i < 100 && !(s.live && s.status.phase === 'paused'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (present('state/rollouts/api.json')) s = await status();
    }
    expect(s.status.phase).toBe('paused');
    const [hook] = await triggerHooks(
      {
        command: [
          process.execPath,
          binPath,
          'rollout',
          'abort',
          'api',
          '--state-dir',
          stateDir,
          '--by',
          'compare',
          '--reason',
          'compare: latency_p50_ms regressed',
        ],
        timeoutMs: 20_000,
      },
      { verdict: 'regressed', regressions: ['latency_p50_ms (overall)'] },
    );
    expect(hook?.ok, hook?.message).toBe(true);
    const r = await start.done;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rolled back api to v1: compare: latency_p50_ms regressed/);
    expect((await status()).status).toMatchObject({ phase: 'aborted', abortedBy: 'compare' });
  });

  const startPaused = async (args: string[] = []) => {
    const run = spawnCli(
      ['rollout', args[0] ?? 'start', 'api', '--state-dir', stateDir, '--store', store, ...args.slice(1)],
      {
        cwd: dir,
      },
    );
    let s = { live: false, status: { phase: '' } };
    for (let i = 0; i < 100 && !(s.live && s.status.phase === 'paused'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (present('state/rollouts/api.json')) s = await status().catch(() => s);
    }
    expect(s.status.phase).toBe('paused');
    return run;
  };
  const weights = async () =>
    (
      (await (await fetch(`${readJson('state/up.json').adminUrl}/v1/services/api/weights`)).json()) as {
        weights: unknown;
      }
    ).weights;

  it('Ctrl-C rolls back, then exits 130', async () => {
    const run = await startPaused();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted: rolling back');
    expect(await weights()).toEqual({ v1: 100, v2: 0 });
  });

  it('a controller killed outright: status says so, abort puts traffic back without it', async () => {
    const run = await startPaused();
    run.child.kill('SIGKILL');
    await run.done;
    expect(await weights()).toEqual({ v1: 75, v2: 25 });
    const st = await cli(['rollout', 'status', 'api', '--state-dir', stateDir, '--store', store]);
    const text = st.stdout + st.stderr;
    expect(text).toMatch(/api v1 → v2\) was left unfinished: its controller is gone/);
    const r = await cli(['rollout', 'abort', 'api', '--state-dir', stateDir, '--store', store]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no controller was running: traffic of api set back on v1, v2 stopped/);
    expect(await weights()).toEqual({ v1: 100, v2: 0 });
  });

  it('retry runs the last failed rollout again, promote --full finishes it, undo goes back', async () => {
    const run = await startPaused(['retry']);
    expect((await cli(['rollout', 'promote', 'api', '--full', '--state-dir', stateDir])).code).toBe(0);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^retrying rollout \S+ \(api → v2\)/);
    expect(r.stdout).toMatch(/^promoted api v2 in/);
    expect(await weights()).toEqual({ v1: 0, v2: 100 });
    const u = await cli([
      'rollout',
      'undo',
      'api',
      '--state-dir',
      stateDir,
      '--store',
      store,
      '--scale-down-delay',
      '200ms',
    ]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/^promoted api v1 in/);
    expect(await weights()).toEqual({ v1: 100, v2: 0 });
  });

  it('--help describes every subcommand', async () => {
    const top = await cli(['rollout', '--help']);
    expect(top.code).toBe(0);
    for (const sub of ['start', 'status', 'promote', 'abort', 'retry', 'undo', 'render'])
      expect(top.stdout).toContain(sub);
    const start = await cli(['rollout', 'start', '--help']);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/Exit codes: 0 promoted, 1 rolled back/);
  });

  it('promote with no rollout running exits 3', async () => {
    const r = await cli(['rollout', 'promote', 'api', '--state-dir', stateDir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no rollout of api is running');
  });

  it('render --validate writes an HTTPRoute per step that validates', async () => {
    const r = await runCliProcess(
      [
        'rollout',
        'render',
        'catalog',
        join(repoRoot, 'examples', 'shop', 'shakedown.yaml'),
        '--to',
        'v2',
        '--steps',
        '10,50',
        '--validate',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/HTTPRoutes validate against the Gateway API schema/);
    expect(r.stdout.match(/kind: HTTPRoute/g)?.length).toBe(6);
    expect(r.stdout).toContain('# step 2: analysis default (judge)');
    expect(r.stdout).toMatch(/name: catalog-v2\n\s+port: 8080\n\s+weight: 10/);
  });
});
