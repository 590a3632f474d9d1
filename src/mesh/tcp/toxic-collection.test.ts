import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { createToxicRegistry } from './core/registry.js';
import { ToxicCollection, type ToxicRemovalReason } from './toxic-collection.js';

function collection(clock = new ManualClock(1_000_000)) {
  const log: Array<[string, string, ToxicRemovalReason | undefined]> = [];
  const c = new ToxicCollection(createToxicRegistry(), clock, {
    added: (e) => log.push(['added', e.info.name, undefined]),
    removed: (e, reason) => log.push(['removed', e.info.name, reason]),
  });
  return { c, clock, log };
}

describe('ToxicCollection leases', () => {
  it('removes a toxic when its TTL ends, on the injected clock', async () => {
    const { c, clock, log } = collection();
    const e = c.add({ type: 'latency', attributes: { latencyMs: 5 } }, { ttlMs: 2000 });
    expect(e.info.expiresAtMs).toBe(1_002_000);
    clock.advance(1999);
    await Promise.resolve();
    expect(c.get('latency_downstream')).toBeDefined();
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(c.get('latency_downstream')).toBeUndefined();
    expect(log).toEqual([
      ['added', 'latency_downstream', undefined],
      ['removed', 'latency_downstream', 'ttl'],
    ]);
  });

  it('an old lease does not remove a toxic re-added under the same name', async () => {
    const { c, clock, log } = collection();
    c.add({ type: 'timeout' }, { ttlMs: 100 });
    c.remove('timeout_downstream');
    c.add({ type: 'timeout' });
    clock.advance(500);
    await new Promise((r) => setImmediate(r));
    expect(c.get('timeout_downstream')).toBeDefined();
    expect(log.map((l) => l[2])).toEqual([undefined, 'removed', undefined]);
  });

  it('takes the TTL from the spec form and refuses nonsense', () => {
    const { c } = collection();
    expect(c.add({ type: 'timeout', ttl: '2s' } as never).info.expiresAtMs).toBe(1_002_000);
    expect(() => c.add({ type: 'timeout', name: 't2' }, { ttlMs: -5 })).toThrow(/invalid TTL/);
    expect(() => c.add({ type: 'timeout', name: 't3' }, { ttlMs: Number.NaN })).toThrow(/invalid TTL/);
  });

  it('keeps the order toxics were added in, and clear() removes all with a reason', () => {
    const { c, log } = collection();
    c.add({ name: 'b', type: 'timeout' });
    c.add({ name: 'a', type: 'slow_close', stream: 'upstream', attributes: { delayMs: 1 } });
    expect(c.all().map((e) => e.info.name)).toEqual(['b', 'a']);
    c.clear('reset');
    expect(c.all()).toEqual([]);
    expect(log.slice(2)).toEqual([
      ['removed', 'b', 'reset'],
      ['removed', 'a', 'reset'],
    ]);
  });
});
