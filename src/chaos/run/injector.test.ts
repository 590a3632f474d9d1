import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../core/event.js';
import { createRandom } from '../../core/random.js';
import { Registry } from '../../core/registry.js';
import type { FaultContext, FaultType } from '../faults/types.js';
import { DatabaseRegistry } from '../postgres/databases.js';
import { AbortWatch } from './abort-watch.js';
import { Injector } from './injector.js';
import { RevertJournal } from './journal.js';
import { LeaseKeeper } from './lease-keeper.js';
import { planMethod } from './plan.js';

// The injector's safety rules with a recording fault type (no platform needed): journaled
// before injected, leases renewed and capped at the TTL, a lost lease noticed, everything
// reverted on revertAll, a failed injection undone and closed in the journal.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(behaviour: { failInject?: boolean; lost?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shakedown-injector-'));
  dirs.push(dir);
  const journal = new RevertJournal(dir);
  const log: string[] = [];
  const renewals: number[] = [];
  const fake: FaultType = {
    type: 'fake',
    summary: 'records what happens',
    shape: {},
    plan: async (_p, _ctx, instance) => ({ targets: ['t1'], data: { instanceId: instance.id } }),
    inject: async (data, _ctx, instance, leaseUntilMs) => {
      // Safety: by now the journal has it, on disk.
      const onDisk = new RevertJournal(dir).active().find((e) => e.id === instance.id);
      log.push(
        `inject ${instance.id} journaled=${onDisk !== undefined} lease=${leaseUntilMs - Date.now() <= instance.leaseMs}`,
      );
      if (data.instanceId !== instance.id) throw new Error('data mismatch');
      if (behaviour.failInject) throw new Error('half-way');
    },
    renew: async (_d, _c, _i, until) => {
      renewals.push(until);
      return !behaviour.lost;
    },
    revert: async (_d, _c, id) => {
      log.push(`revert ${id}`);
      return 'reverted';
    },
  };
  const registry = new Registry<FaultType>('chaos fault').register('fake', fake);
  const events: RunEvent[] = [];
  const ctx: FaultContext = {
    controls: undefined as never,
    random: createRandom(1),
    keeper: new LeaseKeeper(),
    databases: new DatabaseRegistry(),
    spec: undefined,
    stateDir: dir,
    now: Date.now,
    emit: () => {},
  };
  const injector = new Injector(registry, ctx, journal, {
    runId: 'r1',
    leaseMs: 300,
    journalData: { controls: { adminUrl: 'http://127.0.0.1:1', tokenFile: '/x' } },
    emit: (e) => events.push(e),
  });
  return { injector, journal, log, renewals, events };
}

describe('the injector', () => {
  it('journals before injecting, renews the lease, reverts everything on revertAll', async () => {
    const { injector, journal, log, renewals, events } = setup();
    injector.start();
    const a = await injector.plan({ type: 'fake', ttl: 60_000 } as never, 5000);
    const b = await injector.plan({ type: 'fake' } as never, 5000);
    expect(a.instance).toMatchObject({ id: 'chaos-r1-1', ttlMs: 60_000, leaseMs: 300 });
    expect(b.instance.ttlMs).toBe(35_000); // default: duration + 30 s
    await injector.inject({ type: 'fake', ttl: 60_000 } as never, a.instance, a.planned);
    await injector.inject({ type: 'fake' } as never, b.instance, b.planned);
    expect(log).toEqual([
      'inject chaos-r1-1 journaled=true lease=true',
      'inject chaos-r1-2 journaled=true lease=true',
    ]);
    const entry = journal.active()[0];
    expect(entry).toMatchObject({ id: 'chaos-r1-1', type: 'fake', injected: true, pid: process.pid });
    expect(entry?.data.controls).toEqual({ adminUrl: 'http://127.0.0.1:1', tokenFile: '/x' });
    await new Promise((r) => setTimeout(r, 350));
    expect(renewals.length).toBeGreaterThanOrEqual(4); // every lease/3, both faults
    await injector.revertAll('interrupted');
    injector.stop();
    expect(log.slice(2).sort()).toEqual(['revert chaos-r1-1', 'revert chaos-r1-2']);
    expect(journal.active()).toEqual([]);
    expect(injector.injections().every((i) => i.revertedAtMs !== undefined)).toBe(true);
    expect(events.filter((e) => e.kind === 'fault.reverted').map((e) => e.data.reason)).toEqual([
      'interrupted',
      'interrupted',
    ]);
  });

  it('never renews past the TTL', async () => {
    const { injector, renewals } = setup();
    injector.start();
    const a = await injector.plan({ type: 'fake', ttl: 500 } as never, 400);
    const t0 = Date.now();
    await injector.inject({ type: 'fake', ttl: 500 } as never, a.instance, a.planned);
    await new Promise((r) => setTimeout(r, 800));
    injector.stop();
    expect(renewals.length).toBeGreaterThan(0);
    for (const until of renewals) expect(until).toBeLessThanOrEqual(t0 + 500 + 20);
  });

  it('notices a lease lost (lapsed or removed from outside) and closes its journal entry', async () => {
    const { injector, journal, events } = setup({ lost: true });
    injector.start();
    const a = await injector.plan({ type: 'fake' } as never, 5000);
    await injector.inject({ type: 'fake' } as never, a.instance, a.planned);
    await new Promise((r) => setTimeout(r, 250));
    injector.stop();
    expect(events.some((e) => e.kind === 'fault.lost')).toBe(true);
    expect(journal.active()).toEqual([]);
  });

  it('undoes a fault whose injection failed half-way, and says so', async () => {
    const { injector, journal, log } = setup({ failInject: true });
    const a = await injector.plan({ type: 'fake' } as never, 5000);
    await expect(injector.inject({ type: 'fake' } as never, a.instance, a.planned)).rejects.toThrow(
      'half-way',
    );
    expect(log).toEqual(['inject chaos-r1-1 journaled=true lease=true', 'revert chaos-r1-1']);
    expect(journal.active()).toEqual([]);
  });
});

describe('the method plan', () => {
  it('lays steps out in time: serial, parallel, repeated', () => {
    const plan = planMethod([
      { kind: 'fault', fault: { type: 'replica-kill' } as never, durationMs: 30_000, everyMs: 10_000 },
      { kind: 'wait', durationMs: 5000 },
      {
        kind: 'parallel',
        steps: [
          { kind: 'fault', fault: { type: 'latency', latency: 300 } as never, durationMs: 20_000 },
          {
            kind: 'serial',
            steps: [
              { kind: 'wait', durationMs: 1000 },
              { kind: 'action', action: { type: 'scale' } as never },
            ],
          },
        ],
      },
    ]);
    expect(plan.durationMs).toBe(55_000);
    expect(plan.items.map((i) => [i.path, i.kind, i.startMs, i.durationMs])).toEqual([
      ['1#1', 'fault', 0, 0],
      ['1#2', 'fault', 10_000, 0],
      ['1#3', 'fault', 20_000, 0],
      ['2', 'wait', 30_000, 5000],
      ['3.1', 'fault', 35_000, 20_000],
      ['3.2.1', 'wait', 35_000, 1000],
      ['3.2.2', 'action', 36_000, 0],
    ]);
    expect(plan.items[4]?.what).toBe('latency latency=300');
  });
});

describe('the abort condition', () => {
  it('aborts when a probe has failed for long enough in a row', () => {
    const w = new AbortWatch([{ name: 'abort:errors', probe: undefined as never, forMs: 10_000 }]);
    expect(w.update('abort:errors', false, 0, 'error_rate 0.2')).toBeUndefined();
    expect(w.update('abort:errors', false, 9_000, undefined)).toBeUndefined();
    expect(w.update('abort:errors', true, 9_500, undefined)).toBeUndefined(); // recovered: starts over
    expect(w.update('abort:errors', false, 10_000, undefined)).toBeUndefined();
    expect(w.update('abort:errors', false, 20_000, 'error_rate 0.3')).toBe(
      'abort:errors failed for 10000 ms: error_rate 0.3',
    );
    expect(w.update('other', false, 99_999, undefined)).toBeUndefined();
    const now = new AbortWatch([{ name: 'a', probe: undefined as never, forMs: 0 }]);
    expect(now.update('a', false, 5, 'x')).toMatch(/^a failed for 0 ms/);
  });
});
