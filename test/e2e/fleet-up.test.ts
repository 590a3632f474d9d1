import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess, spawnCli } from '../helpers/cli.js';
import { eventually, fixtureService, processesTagged } from '../helpers/fleet.js';

// `shakedown up` as a real process (the built CLI), its replicas found afterwards by an
// environment tag they inherit, so the test sees every descendant, whatever its parent.

function spec(dir: string, extra = ''): string {
  const file = join(dir, 'shakedown.yaml');
  writeFileSync(
    file,
    `
services:
  api:
    run: [node, ${JSON.stringify(fixtureService)}]
    replicas: 2
    env: { FORK_SLEEPER: "1" }
    probes:
      readiness: { http: /readyz, interval: 200ms }
    restart: { backoff: { initial: 50ms } }
    stop: { grace: 2s }
  worker:
    run: [node, ${JSON.stringify(fixtureService)}]
    env: { IGNORE_PARENT: "1", API_URLS: "{{urls.api}}" }
    stop: { grace: 2s }
${extra}`,
  );
  return file;
}

/** Starts `up --json`, resolves with the child and its "up" line once everything is ready. */
async function startUp(dir: string, tag: string, args: string[] = []) {
  const run = spawnCli(['up', spec(dir), '--state-dir', join(dir, 'state'), '--json', ...args], {
    cwd: dir,
    env: { SHAKEDOWN_TEST_TAG: tag },
  });
  let out = '';
  const up = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "up" line within 20 s: ${out}`)), 20_000);
    run.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"event":"up"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    void run.done.then((r) => reject(new Error(`up exited ${r.code}: ${r.stderr}`)));
  });
  return { ...run, up };
}

describe('shakedown up', () => {
  it('starts everything, serves the admin API, restarts and shows logs; Ctrl-C leaves no process behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-up-'));
    const tag = randomUUID();
    const { child, done, up } = await startUp(dir, tag);
    const services = up.services as Record<string, string[]>;
    expect(services.api).toHaveLength(2);
    expect(services.worker).toHaveLength(1);
    expect(existsSync(join(dir, 'state', 'up.json'))).toBe(true);
    // Two api replicas, each with a sleep child, and one worker.
    expect(processesTagged(tag).length).toBeGreaterThanOrEqual(1 + 2 * 2 + 1);

    const listing = await fetch(`${up.adminUrl}/v1/fleet/services`);
    const body = (await listing.json()) as {
      services: Array<{ name: string; versions: Array<{ ready: number }> }>;
    };
    expect(body.services.map((s) => [s.name, s.versions[0]?.ready])).toEqual([
      ['api', 2],
      ['worker', 1],
    ]);
    const denied = await fetch(`${up.adminUrl}/v1/fleet/services/api/scale`, {
      method: 'POST',
      body: '{"replicas":0}',
    });
    expect(denied.status).toBe(401);

    const restart = await runCliProcess(['restart', 'api', '--state-dir', join(dir, 'state')], { cwd: dir });
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toContain('restarted api: 2 replicas replaced');
    expect(restart.stdout).toContain('api-v1-0 → api-v1-2');

    const logs = await runCliProcess(['logs', 'api', '--state-dir', join(dir, 'state'), '-n', '50'], {
      cwd: dir,
    });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/^api-v1-0 \| hello from api-v1-0/m);
    expect(logs.stdout).toMatch(/^api-v1-2 \| hello from api-v1-2/m);
    const one = await runCliProcess(
      ['logs', 'api', '--replica', 'api-v1-3', '--state-dir', join(dir, 'state')],
      {
        cwd: dir,
      },
    );
    expect(one.stdout).toMatch(/^hello from api-v1-3/m);
    const none = await runCliProcess(['logs', 'nope', '--state-dir', join(dir, 'state')], { cwd: dir });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('services with logs: api, worker');

    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(130);
    // Every replica was stopped within its grace period (2 s) and the CLI exited.
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(processesTagged(tag)).toEqual([]);
    expect(existsSync(join(dir, 'state', 'up.json'))).toBe(false);
    const events = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"t"'))
      .map((l) => JSON.parse(l) as { kind: string });
    // Two replaced by the restart, three at the end.
    expect(events.filter((e) => e.kind === 'replica.stopped').length).toBe(5);
    expect(events.at(-1)?.kind).toBe('fleet.stopped');
  });

  it('leaves no process behind even when `up` itself is SIGKILLed (the watchdog reaps)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-up-'));
    const tag = randomUUID();
    const { child, done } = await startUp(dir, tag);
    const before = processesTagged(tag);
    expect(before.length).toBeGreaterThanOrEqual(6);
    child.kill('SIGKILL');
    await done;
    // The worker ignores its stdin; only the watchdog can stop it (SIGTERM, then SIGKILL).
    expect(await eventually(() => processesTagged(tag).length === 0, 8000)).toBe(true);
  });

  it('exits 4 with the last log lines when a service crash-loops at start, and stops the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-up-'));
    const tag = randomUUID();
    const extra = `  broken:
    run: [node, ${JSON.stringify(fixtureService)}]
    env: { CRASH: "7" }
    restart: { backoff: { initial: 20ms }, crashLoopLimit: 2 }
`;
    const file = spec(dir, extra);
    const r = await runCliProcess(['up', file, '--state-dir', join(dir, 'state'), '--quiet'], {
      cwd: dir,
      env: { SHAKEDOWN_TEST_TAG: tag },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('replica broken-v1-0 is not ready: crash-loop');
    expect(r.stderr).toContain('broken-v1-0: fatal: cannot open config (exit 7)');
    expect(processesTagged(tag)).toEqual([]);
  });

  it('has --help on up, logs and restart', async () => {
    for (const cmd of ['up', 'logs', 'restart']) {
      const r = await runCliProcess([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: shakedown ${cmd}`);
      expect(r.stdout).toContain('Exit codes:');
    }
    const restart = await runCliProcess([
      'restart',
      'api',
      '--state-dir',
      mkdtempSync(join(tmpdir(), 'sd-')),
    ]);
    expect(restart.code).toBe(3);
    expect(restart.stderr).toContain('no running `shakedown up` found');
  });

  it('refuses a spec without services and names the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-up-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, 'services:\n  api:\n    run: "node a.js | tee x"\n');
    const bad = await runCliProcess(['up', file], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('s.yaml:3:10: services.api.run');
    writeFileSync(file, 'name: empty\n');
    const empty = await runCliProcess(['up', file], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('has neither a services: nor a mesh: section');
  });
});
