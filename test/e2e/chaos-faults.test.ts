import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localControls } from '../../src/chaos/control/local.js';
import { chaosFaultRegistry } from '../../src/chaos/faults/registry.js';
import {
  cpuAffinity,
  hasBinary,
  stressProcesses,
  taggedProcesses,
} from '../../src/chaos/faults/stress-process.js';
import type { FaultContext, FaultInstance } from '../../src/chaos/faults/types.js';
import { DatabaseRegistry } from '../../src/chaos/postgres/databases.js';
import { LeaseKeeper } from '../../src/chaos/run/lease-keeper.js';
import { createRandom } from '../../src/core/random.js';
import { LocalPlatform } from '../../src/platform/local.js';
import { parseSpecText } from '../../src/spec/load-spec.js';
import { chaosSpecText } from '../helpers/chaos.js';
import { processState } from '../helpers/fleet.js';
import { connectClient, startTcpServer, type TestTcpServer, within } from '../helpers/tcp-peers.js';

// Each fault type against a real local platform (mesh, a TCP listener, fixture replicas),
// through the same plan → inject → renew → revert path the runner takes: the effect is
// there while the fault is, and gone after the revert.
const faults = chaosFaultRegistry();
let platform: LocalPlatform;
let echo: TestTcpServer;
let ctx: FaultContext;
const keeper = new LeaseKeeper();
const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-faults-'));
let n = 0;

beforeAll(async () => {
  echo = await startTcpServer();
  const text = chaosSpecText('experiments: {}').replace(
    '  services:\n    api:',
    `  tcp:\n    - { name: db, upstream: "127.0.0.1:${echo.port}" }\n  services:\n    api:`,
  );
  const loaded = parseSpecText(text, 'faults.yaml', process.cwd());
  platform = await LocalPlatform.start(loaded, { stateDir: join(dir, 'state'), readyTimeoutMs: 20_000 });
  keeper.start();
  ctx = {
    controls: localControls(platform, { subscribe: () => () => {} }),
    random: createRandom(3),
    keeper,
    databases: new DatabaseRegistry(),
    spec: loaded.spec,
    stateDir: dir,
    now: Date.now,
    emit: () => {},
  };
}, 30_000);
afterAll(async () => {
  await keeper.close();
  await platform?.stop();
  await echo?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function injected(type: string, params: Record<string, unknown>, durationMs = 5000) {
  const instance: FaultInstance = { id: `chaos-t-${++n}`, durationMs, ttlMs: 60_000, leaseMs: 5000 };
  const planned = await faults.get(type).plan(params as never, ctx, instance);
  await faults.get(type).inject(planned.data, ctx, instance, Date.now() + instance.leaseMs);
  return {
    planned,
    instance,
    renew: () => faults.get(type).renew?.(planned.data, ctx, instance, Date.now() + 10_000),
    revert: () => faults.get(type).revert(planned.data, ctx, instance.id),
  };
}

const get = async (path = '/') => {
  const t0 = performance.now();
  const r = await request(`${platform.listenerUrl()}${path}`);
  await r.body.dump();
  return { status: r.statusCode, ms: performance.now() - t0 };
};
const replicas = () => platform.fleet?.service('api').versions[0]?.replicas ?? [];

describe('chaos faults on a local platform', () => {
  it('mesh: abort, down, blackhole and bandwidth apply and are reverted', async () => {
    const abort = await injected('abort', { service: 'api', status: 418, percentage: 1 });
    expect((await get()).status).toBe(418);
    expect(await abort.renew()).toBe(true);
    expect(await abort.revert()).toBe('reverted');
    expect((await get()).status).toBe(200);
    expect(await abort.revert()).toBe('gone');

    const down = await injected('down', { route: 'api', percentage: 1 });
    expect((await get()).status).toBe(503);
    await down.revert();

    const hole = await injected('blackhole', { service: 'api', percentage: 1 });
    const held = await get();
    expect(held.status).toBe(504); // the route's 2 s timeout
    expect(held.ms).toBeGreaterThanOrEqual(1900);
    await hole.revert();
    expect((await get()).status).toBe(200);

    const thin = await injected('bandwidth', { service: 'api', rate: 10, percentage: 1 });
    const slow = await get();
    expect(slow.ms).toBeGreaterThan(500); // ~40 bytes at 10 B/s
    await thin.revert();
  }, 30_000);

  it('tcp: a toxic with a lease, and the listener down, both reverted', async () => {
    const port = platform.tcp.get('db')?.address.port as number;
    const rtt = async () => {
      const c = connectClient(port);
      const t0 = performance.now();
      c.socket.write('ping');
      await within(c.waitForBytes(4), 5000, 'echo');
      c.socket.destroy();
      return performance.now() - t0;
    };
    const lat = await injected('tcp-toxic', {
      listener: 'db',
      toxic: 'latency',
      attributes: { latencyMs: 200 },
      stream: 'downstream',
      toxicity: 1,
    });
    expect(await rtt()).toBeGreaterThanOrEqual(190);
    expect(platform.tcp.get('db')?.toxics()[0]?.name).toBe(lat.instance.id);
    expect(await lat.renew()).toBe(true);
    expect(await lat.revert()).toBe('reverted');
    expect(await rtt()).toBeLessThan(150);

    const down = await injected('tcp-down', { listener: 'db' });
    expect((await connectClient(port).done).errorCode).toBe('ECONNREFUSED');
    expect(await down.renew()).toBe(true);
    expect(await down.revert()).toBe('reverted');
    expect(await rtt()).toBeLessThan(1000);
  }, 30_000);

  it('replicas: pause (a lease) and failure (down for its duration)', async () => {
    const pause = await injected('replica-pause', { service: 'api', select: 'one' });
    const id = pause.planned.targets[0] as string;
    const pid = replicas().find((r) => r.id === id)?.pid as number;
    // A signal takes effect when the kernel next schedules the process: its state is
    // polled for up to 2 s rather than read once (it was still 'R' once, right after).
    const stateWithin = async (wanted: (state: string | undefined) => boolean) => {
      const end = Date.now() + 2000;
      let state = processState(pid);
      while (!wanted(state) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
        state = processState(pid);
      }
      return state;
    };
    expect(await stateWithin((st) => st === 'T')).toBe('T');
    expect(await pause.renew()).toBe(true);
    expect(await pause.revert()).toBe('reverted');
    expect(await stateWithin((st) => st !== 'T')).not.toBe('T');

    const failure = await injected('replica-failure', { service: 'api', select: 'all' }, 60_000);
    expect(failure.planned.targets).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(replicas().map((r) => r.state)).toEqual(['backoff', 'backoff']);
    expect((await get()).status).toBeGreaterThanOrEqual(500);
    expect(await failure.revert()).toBe('reverted');
    await platform.fleet?.waitReady(10_000, 'api');
    expect((await get()).status).toBe(200);
  }, 30_000);

  for (const engine of ['builtin', ...(hasBinary('stress-ng') ? ['stress-ng'] : [])]) {
    it(`cpu and memory stress tied to a replica (${engine}), killed on revert`, async () => {
      const target = replicas()[0];
      const cpu = await injected('cpu-stress', {
        service: 'api',
        select: 'one',
        workers: 1,
        load: 50,
        engine,
      });
      const mem = await injected('memory-stress', {
        service: 'api',
        select: 'one',
        workers: 1,
        size: 64 << 20,
        engine,
      });
      await new Promise((r) => setTimeout(r, 500));
      const cpuPids = taggedProcesses(cpu.instance.id);
      const memPids = taggedProcesses(mem.instance.id);
      expect(cpuPids.length).toBeGreaterThan(0);
      expect(memPids.length).toBeGreaterThan(0);
      // On the replica's CPUs, and (as root) in its cgroups.
      const replicaPid = replicas().find((r) => r.id === cpu.planned.targets[0]?.split(' ')[0])
        ?.pid as number;
      expect(cpuAffinity(cpuPids[0] as number)).toBe(cpuAffinity(replicaPid));
      if (process.getuid?.() === 0)
        expect(readFileSync(`/proc/${cpuPids[0]}/cgroup`, 'utf8')).toBe(
          readFileSync(`/proc/${replicaPid}/cgroup`, 'utf8'),
        );
      // The memory is held: resident set of the stressor processes ≥ most of 64 MiB.
      const rss = () =>
        stressProcesses(mem.instance.id)
          .map((p) => {
            try {
              return (
                Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) * 1024
              );
            } catch {
              return 0;
            }
          })
          .reduce((a, b) => a + b, 0);
      const until = Date.now() + 5000;
      while (rss() < 48 << 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(rss()).toBeGreaterThan(48 << 20);
      expect(target).toBeDefined();
      expect(await cpu.revert()).toBe('reverted');
      expect(await mem.revert()).toBe('reverted');
      await new Promise((r) => setTimeout(r, 200));
      expect(stressProcesses(cpu.instance.id)).toEqual([]);
      expect(stressProcesses(mem.instance.id)).toEqual([]);
    }, 30_000);
  }

  it('disk fill: a file of the size asked for, removed on revert', async () => {
    const fill = await injected('disk-fill', { path: dir, size: 5 << 20 });
    const file = fill.planned.data.file as string;
    expect(statSync(file).size).toBe(5 << 20);
    expect(await fill.renew()).toBe(true);
    expect(await fill.revert()).toBe('reverted');
    expect(existsSync(file)).toBe(false);
  });
});
