import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isShakedownError } from '../../src/core/errors.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { alive, CollectingSink, eventually, fixtureDefinition, processState } from '../helpers/fleet.js';
import { RecordingMeshPort } from '../helpers/recording-mesh-port.js';

// Real replica processes (test/fixtures/fleet/service.mjs) under a real Fleet. The mesh port
// records its calls here, to check the exact order of join / drain / remove calls; traffic
// through the real mesh is in fleet-restart.test.ts and platform-shop.test.ts.

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function stateDir() {
  return mkdtemp(join(tmpdir(), 'shakedown-fleet-'));
}

async function get(url: string): Promise<{ status: number; body: { id: string; pid: number } }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as { id: string; pid: number } };
}

describe('Fleet', () => {
  it('starts replicas on their own ports, passes PORT, joins them to the mesh and logs their output', async () => {
    const sink = new CollectingSink();
    const mesh = new RecordingMeshPort();
    fleet = new Fleet({
      services: [fixtureDefinition('api', { replicas: 2 })],
      stateDir: await stateDir(),
      sink,
      mesh,
    });
    await fleet.start({ readyTimeoutMs: 10_000 });
    const [version] = fleet.service('api').versions;
    expect(version?.ready).toBe(2);
    const replicas = version?.replicas ?? [];
    expect(replicas.map((r) => r.id)).toEqual(['api-v1-0', 'api-v1-1']);
    expect(new Set(replicas.map((r) => r.port)).size).toBe(2);
    for (const r of replicas) {
      const { status, body } = await get(`${r.url}/`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: r.id, pid: r.pid });
    }
    expect(
      mesh
        .joined('api')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['api-v1-0', 'api-v1-1']);
    expect(sink.of('replica.started')).toHaveLength(2);
    expect(sink.of('replica.ready')).toHaveLength(2);
    expect(sink.of('replica.ready')[0]).toMatchObject({
      source: 'fleet',
      data: { service: 'api', version: 'v1' },
    });
    const log = readFileSync(replicas[0]?.logFile ?? '', 'utf8');
    expect(log).toContain(`hello from api-v1-0 pid ${replicas[0]?.pid} port ${replicas[0]?.port}`);
    expect(log).toMatch(/\[shakedown\] \S+ started pid \d+ on port \d+/);
  });

  it('restarts a replica killed from outside; its exit and ready-again times are events', async () => {
    const sink = new CollectingSink();
    const mesh = new RecordingMeshPort();
    fleet = new Fleet({
      services: [fixtureDefinition('api', { replicas: 2 })],
      stateDir: await stateDir(),
      sink,
      mesh,
    });
    await fleet.start();
    const victim = fleet.replica('api-v1-0');
    const since = sink.events.length;
    process.kill(victim.pid as number, 'SIGKILL');
    const exited = await sink.waitFor(
      (e) => e.kind === 'replica.exited' && e.subject === 'api-v1-0',
      5000,
      since,
    );
    const ready = await sink.waitFor(
      (e) => e.kind === 'replica.ready' && e.subject === 'api-v1-0',
      10_000,
      since,
    );
    expect(exited.data).toMatchObject({ signal: 'SIGKILL', code: null, requested: false, pid: victim.pid });
    expect(ready.data).toMatchObject({ again: true });
    expect(ready.t).toBeGreaterThanOrEqual(exited.t);
    const restarting = sink.of('replica.restarting', 'api-v1-0');
    expect(restarting).toHaveLength(1);
    expect(restarting[0]?.data).toMatchObject({ delayMs: 50, attempt: 2 });
    const after = fleet.replica('api-v1-0');
    expect(after.state).toBe('ready');
    expect(after.restarts).toBe(1);
    expect(after.pid).not.toBe(victim.pid);
    expect(after.port).toBe(victim.port); // a replica that had been ready keeps its port
    expect(after.lastExit).toMatchObject({ signal: 'SIGKILL' });
    expect((await get(`${after.url}/`)).body.pid).toBe(after.pid);
    // The dead endpoint left the mesh without a drain and came back when ready again.
    const calls = mesh.calls.filter((c) => c.id === 'api-v1-0').map((c) => c.op);
    expect(calls).toEqual(['add', 'remove', 'add']);
    // The other replica was never touched.
    expect(fleet.replica('api-v1-1').restarts).toBe(0);
  });

  it('stops restarting a crash-looping replica at the limit, with a clear status and its last log lines', async () => {
    const sink = new CollectingSink();
    fleet = new Fleet({
      services: [fixtureDefinition('broken', { env: { CRASH: '3' } })],
      stateDir: await stateDir(),
      sink,
    });
    const err = await fleet.start({ readyTimeoutMs: 10_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isShakedownError(err) && err.code).toBe('E_REPLICA_NOT_READY');
    expect(String((err as Error).message)).toContain('crash loop: 4 short runs in a row (limit 3)');
    expect(isShakedownError(err) && err.hint).toContain('fatal: cannot open config (exit 3)');
    const r = fleet.replica('broken-v1-0');
    expect(r.state).toBe('crash-loop');
    expect(r.restarts).toBe(3);
    expect(r.lastExit).toMatchObject({ code: 3, signal: null });
    expect(r.lastLines?.join('\n')).toContain('broken-v1-0: fatal: cannot open config (exit 3)');
    // Exponential backoff between the attempts.
    expect(sink.of('replica.restarting').map((e) => e.data.delayMs)).toEqual([50, 100, 200]);
    const loop = sink.of('replica.crash-loop');
    expect(loop).toHaveLength(1);
    expect(String(loop[0]?.data.lastLines)).toContain('fatal: cannot open config');
    await new Promise((res) => setTimeout(res, 500));
    expect(sink.of('replica.started')).toHaveLength(4); // and no more after giving up
  });

  it('reports a command that cannot start as failed, without retrying', async () => {
    const sink = new CollectingSink();
    const def = fixtureDefinition('ghost');
    def.versions = [{ name: 'v1', run: ['/nonexistent/shakedown-binary'], env: {}, replicas: 1 }];
    fleet = new Fleet({ services: [def], stateDir: await stateDir(), sink });
    await expect(fleet.start({ readyTimeoutMs: 5000 })).rejects.toThrow(
      /cannot start "\/nonexistent\/shakedown-binary"/,
    );
    expect(fleet.replica('ghost-v1-0').state).toBe('failed');
    expect(sink.of('replica.failed')).toHaveLength(1);
  });

  it('scales, pauses, resumes, kills on request and starts and stops versions', async () => {
    const sink = new CollectingSink();
    const mesh = new RecordingMeshPort();
    const def = fixtureDefinition('cat');
    def.versions = [
      {
        name: 'v1',
        run: [process.execPath, fixtureDefinition('x').versions[0]?.run[1] as string],
        env: {},
        replicas: 1,
      },
      {
        name: 'v2',
        run: [process.execPath, fixtureDefinition('x').versions[0]?.run[1] as string],
        env: {},
        replicas: 0,
      },
    ];
    fleet = new Fleet({ services: [def], stateDir: await stateDir(), sink, mesh });
    await fleet.start();
    let status = await fleet.scale('cat', 3);
    expect(status.versions[0]).toMatchObject({ name: 'v1', desired: 3, ready: 3 });
    status = await fleet.scale('cat', 1);
    expect(status.versions[0]?.replicas.map((r) => r.id)).toEqual(['cat-v1-0']);
    expect(mesh.joined('cat').map((e) => e.id)).toEqual(['cat-v1-0']);
    // Surplus replicas were drained before they stopped.
    expect(mesh.calls.filter((c) => c.id === 'cat-v1-2').map((c) => c.op)).toEqual([
      'add',
      'drain',
      'remove',
    ]);
    expect(sink.of('service.scaled').map((e) => e.data.to)).toEqual([3, 1]);

    const pid = fleet.replica('cat-v1-0').pid as number;
    fleet.pause('cat-v1-0');
    expect(await eventually(() => processState(pid) === 'T')).toBe(true);
    expect(fleet.replica('cat-v1-0').state).toBe('paused');
    fleet.resume('cat-v1-0');
    expect(await eventually(() => processState(pid) !== 'T')).toBe(true);
    expect(fleet.replica('cat-v1-0').state).toBe('ready');
    expect(() => fleet?.resume('cat-v1-0')).toThrow(/cannot resume replica cat-v1-0: it is ready/);

    status = await fleet.startVersion('cat', 'v2', 2);
    expect(status.versions[1]).toMatchObject({ name: 'v2', desired: 2, ready: 2 });
    expect(mesh.joined('cat').filter((e) => e.version === 'v2')).toHaveLength(2);
    status = await fleet.stopVersion('cat', 'v2');
    expect(status.versions[1]).toMatchObject({ desired: 0, ready: 0, replicas: [] });
    expect(mesh.joined('cat').map((e) => e.id)).toEqual(['cat-v1-0']);

    const since = sink.events.length;
    fleet.kill('cat-v1-0', 'SIGTERM');
    await sink.waitFor((e) => e.kind === 'replica.ready' && e.subject === 'cat-v1-0', 10_000, since);
    expect(sink.of('replica.killed', 'cat-v1-0')[0]?.data.signal).toBe('SIGTERM');
    expect(() => fleet?.kill('nope')).toThrow(/no replica "nope"/);
    await expect(fleet.scale('nope', 1)).rejects.toThrow(/no service "nope"; services: cat/);
    await expect(fleet.scale('cat', 1, { version: 'v9' })).rejects.toThrow(
      /no version "v9"; versions: v1, v2/,
    );
  });

  it('SIGKILLs a replica that ignores SIGTERM after the grace period, and its whole process group', async () => {
    const sink = new CollectingSink();
    const def = fixtureDefinition('stubborn', { env: { IGNORE_SIGTERM: '1', FORK_SLEEPER: '1' } });
    def.stop = { signal: 'SIGTERM', graceMs: 500, drainTimeoutMs: 100 };
    fleet = new Fleet({ services: [def], stateDir: await stateDir(), sink });
    await fleet.start();
    const pid = fleet.replica('stubborn-v1-0').pid as number;
    const members = groupMembers(pid);
    expect(members.length).toBeGreaterThanOrEqual(2); // node and its sleep child
    const t0 = Date.now();
    await fleet.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(sink.of('replica.killed')[0]?.data).toMatchObject({
      signal: 'SIGKILL',
      reason: 'grace period over',
    });
    for (const p of members) expect(alive(p)).toBe(false);
    const log = readFileSync(join(fleet.replica('stubborn-v1-0').logFile), 'utf8');
    expect(log).toContain('ignoring SIGTERM');
    expect(sink.of('fleet.stopped')).toHaveLength(1);
  });
});

/** Pids whose process group is `pgid`. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
