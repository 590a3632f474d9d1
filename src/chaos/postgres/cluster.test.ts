import { afterAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../mesh/tcp/proxy.js';
import { PostgresCluster } from './cluster.js';
import { WriteChecker } from './writer.js';

// A real PostgreSQL primary + streaming replica from the machine's binaries (the
// `postgresql` Debian package, .ci/apt-packages; as root the servers run as postgres),
// reached through a TCP listener as an app would. The primary is crashed, the replica
// promoted and the listener repointed: with synchronous replication every write the
// writer was told had committed is on the promoted replica.
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('PostgreSQL failover through a TCP listener', () => {
  it('loses no acknowledged write with synchronous replication, and measures the outage', async () => {
    const cluster = await PostgresCluster.start({ replication: 'synchronous' });
    cleanups.push(() => cluster.stop());
    const proxy = await TcpProxy.start({ name: 'pg', upstream: cluster.primary.port, closeGraceMs: 100 });
    cleanups.push(() => proxy.close());
    const writer = new WriteChecker(`postgres://postgres@127.0.0.1:${proxy.address.port}/postgres`, 100);
    await writer.start();
    await new Promise((r) => setTimeout(r, 800));
    const crashedAt = Date.now();
    expect(cluster.crash(cluster.primary)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(writer.snapshot().lastAttemptOk).toBe(false);
    await cluster.promote();
    await proxy.setUpstream(cluster.replica.port);
    await new Promise((r) => setTimeout(r, 800));
    await writer.stop();
    const v = await writer.verify(cluster.url());
    expect(v.acknowledged).toBeGreaterThan(50);
    expect(v.lost).toBe(0);
    expect(v.lastAttemptOk).toBe(true);
    expect(v.longestOutageMs).toBeGreaterThanOrEqual(400);
    // The outage starts at the last acknowledged write: the write in flight when the kill
    // landed may still have committed and be acknowledged a few ms after `crashedAt`, but
    // none later than one write interval (100 ms) after it.
    expect(v.outage?.fromMs).toBeLessThanOrEqual(crashedAt + 100);
    expect(v.outage?.toMs).toBeGreaterThan(crashedAt);
    expect(cluster.postmasterPid(cluster.primary)).toBeUndefined();
  }, 60_000);
});
