import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectingSink, eventually, fixtureDefinition, processState } from '../../test/helpers/fleet.js';
import { Fleet } from './fleet.js';

// Chaos faults on replicas are leases: a pause with a TTL resumes by itself, a failure
// keeps the replica down for its duration and then starts it again, so a chaos controller
// that dies leaves nothing frozen or down. Real processes (the fleet fixture).
let fleet: Fleet | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startFleet(sink: CollectingSink): Promise<Fleet> {
  dir = mkdtempSync(join(tmpdir(), 'shakedown-leases-'));
  fleet = new Fleet({ services: [fixtureDefinition('cat')], stateDir: dir, sink });
  await fleet.start({ readyTimeoutMs: 10_000 });
  return fleet;
}

describe('replica leases', () => {
  it('resumes a paused replica when its pause lease runs out; pausing again renews it', async () => {
    const sink = new CollectingSink();
    const f = await startFleet(sink);
    const pid = f.replica('cat-v1-0').pid as number;
    f.pause('cat-v1-0', { ttlMs: 300 });
    expect(await eventually(() => processState(pid) === 'T')).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    f.pause('cat-v1-0', { ttlMs: 400 }); // renewal
    await new Promise((r) => setTimeout(r, 250));
    expect(f.replica('cat-v1-0').state).toBe('paused');
    await sink.waitFor((e) => e.kind === 'replica.pause-expired', 2000);
    expect(await eventually(() => processState(pid) !== 'T')).toBe(true);
    expect(f.replica('cat-v1-0').state).toBe('ready');
    expect(() => f.pause('cat-v1-0', { ttlMs: -1 })).toThrow(/invalid pause TTL/);
  });

  it('keeps a failed replica down for the failure duration, then starts it again', async () => {
    const sink = new CollectingSink();
    const f = await startFleet(sink);
    const pid = f.replica('cat-v1-0').pid as number;
    const t0 = Date.now();
    f.fail('cat-v1-0', 800);
    await sink.waitFor((e) => e.kind === 'replica.exited', 3000);
    expect(await eventually(() => processState(pid) === undefined || processState(pid) === 'Z')).toBe(true);
    // The fixture's restart backoff is 50 ms: without the hold it would be back at once.
    await new Promise((r) => setTimeout(r, 400));
    expect(f.replica('cat-v1-0').state).toBe('backoff');
    const ready = await sink.waitFor((e) => e.kind === 'replica.ready' && e.data.again === true, 5000);
    expect(ready.t - t0).toBeGreaterThanOrEqual(790);
    expect(f.replica('cat-v1-0').pid).not.toBe(pid);

    f.fail('cat-v1-0', 60_000);
    await sink.waitFor((e) => e.kind === 'replica.restarting' && e.data.reason === 'failure', 3000);
    const since = sink.events.length;
    f.recover('cat-v1-0');
    await sink.waitFor((e) => e.kind === 'replica.ready', 5000, since);
    expect(f.replica('cat-v1-0').state).toBe('ready');
    expect(() => f.recover('cat-v1-0')).toThrow(/cannot recover/);
  });
});
