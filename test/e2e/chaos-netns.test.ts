import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsPartitionFault } from '../../src/chaos/faults/netns-partition.js';
import type { FaultContext, FaultInstance } from '../../src/chaos/faults/types.js';
import { DatabaseRegistry } from '../../src/chaos/postgres/databases.js';
import { LeaseKeeper } from '../../src/chaos/run/lease-keeper.js';
import { createRandom } from '../../src/core/random.js';

// A real network partition between two network namespaces this test creates (ip netns, a
// veth pair, private 10.x addresses that exist only inside them), made by iptables DROP
// rules: packets are lost, so a connection attempt times out instead of being refused.
// Needs root, iproute2 and iptables (.ci/apt-packages; CI runs as root). The traffic never
// leaves the two namespaces.
if (process.getuid?.() !== 0) {
  throw new Error(
    'chaos-netns.test.ts needs root: it creates network namespaces and iptables rules (CI runs as root). Run it as root.',
  );
}

const tag = `${process.pid % 10000}`;
const nsA = `sdc-a-${tag}`;
const nsB = `sdc-b-${tag}`;
const octet = 10 + (process.pid % 200);
const ipB = `10.250.${octet}.2`;
let server: ChildProcess | undefined;

function sh(argv: string[]): void {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

/** Tries a TCP connection from namespace A to B: "ok", "timeout" or an error code. */
function connectFromA(timeoutMs = 700): string {
  const code = `const s=require('net').connect(7000,${JSON.stringify(ipB)});s.setTimeout(${timeoutMs});s.on('connect',()=>{console.log('ok');process.exit(0)});s.on('timeout',()=>{console.log('timeout');process.exit(0)});s.on('error',(e)=>{console.log(e.code);process.exit(0)})`;
  const r = spawnSync('ip', ['netns', 'exec', nsA, process.execPath, '-e', code], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.stdout.trim();
}

beforeAll(async () => {
  sh(['ip', 'netns', 'add', nsA]);
  sh(['ip', 'netns', 'add', nsB]);
  sh([
    'ip',
    'link',
    'add',
    `va-${tag}`,
    'netns',
    nsA,
    'type',
    'veth',
    'peer',
    'name',
    `vb-${tag}`,
    'netns',
    nsB,
  ]);
  sh(['ip', '-n', nsA, 'addr', 'add', `10.250.${octet}.1/24`, 'dev', `va-${tag}`]);
  sh(['ip', '-n', nsB, 'addr', 'add', `${ipB}/24`, 'dev', `vb-${tag}`]);
  for (const [ns, dev] of [
    [nsA, `va-${tag}`],
    [nsB, `vb-${tag}`],
  ] as const) {
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  }
  server = spawn(
    'ip',
    [
      'netns',
      'exec',
      nsB,
      process.execPath,
      '-e',
      `require('net').createServer((s)=>{s.on('error',()=>{});s.end('hi')}).listen(7000,'0.0.0.0',()=>console.log('listening'))`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise<void>((resolve) => server?.stdout?.once('data', () => resolve()));
}, 30_000);

afterAll(() => {
  server?.kill('SIGKILL');
  spawnSync('ip', ['netns', 'del', nsA]);
  spawnSync('ip', ['netns', 'del', nsB]);
});

function context(keeper: LeaseKeeper): FaultContext {
  return {
    controls: {
      mesh: undefined,
      fleet: undefined,
      tcp: undefined,
      listenerUrl: () => undefined,
      remote: undefined,
      subscribeMeshWindows: () => () => {},
      subscribeEvents: () => () => {},
      close: async () => {},
    },
    random: createRandom(1),
    keeper,
    databases: new DatabaseRegistry(),
    spec: undefined,
    stateDir: '',
    now: Date.now,
    emit: () => {},
  };
}

const rules = (id: string) =>
  spawnSync('ip', ['netns', 'exec', nsA, 'iptables', '-S'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.includes(id));

describe('network-namespace partition', () => {
  it('drops packets between the namespaces while in force, and not after the revert', async () => {
    expect(connectFromA()).toBe('ok');
    const keeper = new LeaseKeeper();
    keeper.start();
    const ctx = context(keeper);
    const instance: FaultInstance = {
      id: `chaos-netns-${tag}`,
      durationMs: 10_000,
      ttlMs: 60_000,
      leaseMs: 10_000,
    };
    const planned = await netnsPartitionFault.plan(
      { namespaces: [nsA, nsB], direction: 'both' } as never,
      ctx,
      instance,
    );
    expect(planned.targets).toEqual([`${nsA} OUTPUT → ${ipB}`, `${nsA} INPUT ← ${ipB}`]);
    await netnsPartitionFault.inject(planned.data, ctx, instance, Date.now() + 10_000);
    try {
      expect(rules(instance.id)).toHaveLength(2);
      expect(connectFromA()).toBe('timeout'); // lost, not refused
      expect(await netnsPartitionFault.revert(planned.data, ctx, instance.id)).toBe('reverted');
      expect(rules(instance.id)).toEqual([]);
      expect(connectFromA()).toBe('ok');
      expect(await netnsPartitionFault.revert(planned.data, ctx, instance.id)).toBe('gone');
    } finally {
      await keeper.close();
    }
  }, 30_000);

  it('is undone by the lease keeper when the controller goes away without reverting', async () => {
    const keeper = new LeaseKeeper();
    keeper.start();
    const ctx = context(keeper);
    const instance: FaultInstance = {
      id: `chaos-netns2-${tag}`,
      durationMs: 10_000,
      ttlMs: 60_000,
      leaseMs: 10_000,
    };
    const planned = await netnsPartitionFault.plan(
      { namespaces: [nsA, nsB], direction: 'to' } as never,
      ctx,
      instance,
    );
    await netnsPartitionFault.inject(planned.data, ctx, instance, Date.now() + 60_000);
    expect(rules(instance.id)).toHaveLength(1);
    expect(connectFromA()).toBe('timeout');
    await keeper.close(); // as if the controller had died: the keeper's pipe closes
    expect(rules(instance.id)).toEqual([]);
    expect(connectFromA()).toBe('ok');
  }, 30_000);

  it('refuses to plan a partition of a namespace that does not exist', async () => {
    const keeper = new LeaseKeeper();
    await expect(
      netnsPartitionFault.plan(
        { namespaces: [nsA, 'no-such-ns'], direction: 'both' } as never,
        context(keeper),
        {
          id: 'x',
          durationMs: 1,
          ttlMs: 1,
          leaseMs: 1,
        },
      ),
    ).rejects.toThrow(/no network namespace "no-such-ns"/);
  });
});
