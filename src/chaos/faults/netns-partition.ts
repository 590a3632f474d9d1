import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { UndoStep } from '../run/lease-keeper.js';
import { hasBinary } from './stress-process.js';
import { defineFault, leaseTtl } from './types.js';

/**
 * A real network partition between two Linux network namespaces (`ip netns`): iptables
 * DROP rules in the first namespace for the second's addresses — OUTPUT for `to`, INPUT
 * for `from`, both for `both` — so packets are lost, not refused, as in a real partition.
 * Each rule carries the fault id as its comment. Needs root, `ip` (iproute2) and iptables;
 * without them the fault refuses to plan and says why. The rules are a lease in the lease
 * keeper (deleted when it runs out or the controller dies).
 */
export function requireNetns(): void {
  if (process.getuid?.() !== 0)
    throw new ShakedownError(
      'E_CHAOS_NEEDS_ROOT',
      'a network-namespace partition needs root (ip netns, iptables)',
      {
        exitCode: ExitCode.environment,
        hint: 'run as root, or use the mesh partition (type: partition)',
      },
    );
  for (const b of ['ip', 'iptables'])
    if (!hasBinary(b))
      throw new ShakedownError('E_CHAOS_NO_BINARY', `a network-namespace partition needs ${b}`, {
        exitCode: ExitCode.environment,
        hint: 'Debian: apt-get install iproute2 iptables',
      });
}

/** The IPv4 addresses of a namespace's interfaces, loopback excluded. */
export function namespaceAddresses(ns: string): string[] {
  const r = spawnSync('ip', ['-n', ns, '-j', '-4', 'addr', 'show'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new ShakedownError('E_CHAOS_TARGET', `no network namespace "${ns}": ${r.stderr.trim()}`, {
      exitCode: ExitCode.usage,
    });
  const links = JSON.parse(r.stdout || '[]') as Array<{
    ifname: string;
    addr_info?: Array<{ local: string }>;
  }>;
  return links.filter((l) => l.ifname !== 'lo').flatMap((l) => (l.addr_info ?? []).map((a) => a.local));
}

/** The iptables argv (in namespace `ns`) that adds (-I) or deletes (-D) one rule. */
export function ruleArgv(
  op: '-I' | '-D',
  ns: string,
  chain: 'INPUT' | 'OUTPUT',
  peer: string,
  comment: string,
): string[] {
  const match = chain === 'OUTPUT' ? ['-d', peer] : ['-s', peer];
  return [
    'ip',
    'netns',
    'exec',
    ns,
    'iptables',
    '-w',
    op,
    chain,
    ...match,
    '-m',
    'comment',
    '--comment',
    comment,
    '-j',
    'DROP',
  ];
}

interface Rule {
  ns: string;
  chain: 'INPUT' | 'OUTPUT';
  peer: string;
}

export const netnsPartitionFault = defineFault({
  type: 'netns-partition',
  summary: 'partition two network namespaces with iptables DROP rules (root, ip netns, iptables)',
  shape: {
    namespaces: z.tuple([z.string().min(1), z.string().min(1)]),
    direction: z.enum(['to', 'from', 'both']).default('both'),
  },
  async plan(p) {
    requireNetns();
    const [a, b] = p.namespaces;
    const peers = namespaceAddresses(b);
    if (peers.length === 0)
      throw new ShakedownError('E_CHAOS_NO_TARGET', `network namespace "${b}" has no IPv4 address`, {
        exitCode: ExitCode.usage,
      });
    namespaceAddresses(a);
    const rules: Rule[] = [];
    for (const peer of peers) {
      if (p.direction !== 'from') rules.push({ ns: a, chain: 'OUTPUT', peer });
      if (p.direction !== 'to') rules.push({ ns: a, chain: 'INPUT', peer });
    }
    return {
      targets: rules.map((r) => `${r.ns} ${r.chain} ${r.chain === 'OUTPUT' ? '→' : '←'} ${r.peer}`),
      data: { rules },
    };
  },
  async inject(data, ctx, instance, leaseUntilMs) {
    const rules = data.rules as Rule[];
    const undo: UndoStep[] = rules.map((r) => ({ exec: ruleArgv('-D', r.ns, r.chain, r.peer, instance.id) }));
    ctx.keeper.add(instance.id, undo, ctx.now() + leaseTtl(leaseUntilMs, ctx.now()));
    for (const r of rules) {
      const [cmd, ...args] = ruleArgv('-I', r.ns, r.chain, r.peer, instance.id) as [string, ...string[]];
      const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
      if (res.status !== 0)
        throw new ShakedownError('E_CHAOS_IPTABLES', `iptables failed: ${res.stderr.trim()}`, {
          exitCode: ExitCode.environment,
        });
    }
  },
  async renew(_data, ctx, instance, leaseUntilMs) {
    ctx.keeper.renew(instance.id, leaseUntilMs);
    return true;
  },
  async revert(data, ctx, id) {
    let removed = 0;
    for (const r of data.rules as Rule[]) {
      // -D removes one copy; repeat until none is left.
      for (let i = 0; i < 10; i++) {
        const [cmd, ...args] = ruleArgv('-D', r.ns, r.chain, r.peer, id) as [string, ...string[]];
        if (spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status !== 0) break;
        removed++;
      }
    }
    try {
      ctx.keeper.done(id);
    } catch {
      // chaos stop from another process.
    }
    return removed > 0 ? 'reverted' : 'gone';
  },
});
