import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ChaosReport } from '../../src/chaos/run/report.js';
import { runCliProcess } from '../helpers/cli.js';
import { shopSpecFile } from '../helpers/shop.js';

// Acceptance: the shop's orders on a PostgreSQL primary with a streaming replica, both
// started by Shakedown from the machine's binaries (the `postgresql` Debian package in
// .ci/apt-packages; as root they run as the postgres user), reached through a mesh TCP
// listener. The primary is crashed under checkouts and writes; Shakedown's failover
// promotes the replica and repoints the listener. With synchronous replication no
// acknowledged write is lost; with asynchronous the count lost is reported. Write
// unavailability and MTTR are in the report.
const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-db-'));
const pgDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('shakedown-chaos-pg-'));
const before = new Set(pgDirs());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failover(replication: 'synchronous' | 'asynchronous'): Promise<ChaosReport> {
  // The shop's experiment, as an experiment file of its own with the replication asked for.
  const spec = parse(readShop()) as { chaos: { experiments: Record<string, Record<string, unknown>> } };
  const experiment = spec.chaos.experiments['orders-db-failover'] as {
    databases: { orders: { replication: string } };
  };
  experiment.databases.orders.replication = replication;
  const file = join(dir, `failover-${replication}.yaml`);
  writeFileSync(file, stringify({ name: `failover-${replication}`, spec: shopSpecFile, ...experiment }));
  const r = await runCliProcess([
    'chaos',
    'run',
    file,
    '--free-ports',
    '--state-dir',
    join(dir, `state-${replication}`),
    '--no-store',
    '--json',
    '--quiet',
  ]);
  // The writes hypothesis breaks while the primary is down (exit 99); the report says how long.
  expect([0, 99], r.stderr).toContain(r.code);
  const [report] = JSON.parse(r.stdout) as ChaosReport[];
  if (!report) throw new Error(`no report: ${r.stderr}`);
  return report;
}

function readShop(): string {
  return readFileSync(shopSpecFile, 'utf8');
}

describe('shakedown chaos run: orders database failover on the shop', () => {
  it('loses no acknowledged write with synchronous replication; unavailability and MTTR reported', async () => {
    const report = await failover('synchronous');
    const db = report.databases.orders;
    if (!db) throw new Error('no database verdict');
    expect(db.acknowledged).toBeGreaterThan(200);
    expect(db.lost).toBe(0);
    expect(db.lastAttemptOk).toBe(true);
    const crashed = report.timeline.find((e) => e.kind === 'database.crashed');
    const promoted = report.timeline.find((e) => e.kind === 'database.promoted');
    const repointed = report.timeline.find((e) => e.kind === 'mesh.tcp.upstream.changed');
    if (!crashed || !promoted || !repointed) throw new Error('timeline incomplete');
    // Write unavailability: from the last acknowledged write before the crash to the first after.
    expect(db.longestOutageMs).toBeGreaterThan(promoted.t - crashed.t - 500);
    expect(db.longestOutageMs).toBeLessThan(30_000);
    expect(db.outage?.fromMs).toBeLessThanOrEqual(crashed.t);
    expect(db.outage?.toMs).toBeGreaterThanOrEqual(promoted.t);
    // MTTR: crash → writes healthy again (after the promotion), in the report.
    const fault = report.faults[0];
    expect(fault).toMatchObject({ type: 'postgres-primary-kill', instant: true });
    expect(fault?.timeToDetectMs).toBeLessThan(3000);
    expect(fault?.recoveryEventAtMs).toBe(promoted.t);
    expect(report.mttr.maxMs).toBeGreaterThan(0);
    expect(report.mttr.maxMs).toBeLessThan(30_000);
    // The shop itself came back: checkouts after the failover work.
    expect(report.traffic.after.requests).toBeGreaterThan(100);
    expect(report.availability.after).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it('reports the acknowledged writes lost with asynchronous replication', async () => {
    const report = await failover('asynchronous');
    const db = report.databases.orders;
    expect(db?.acknowledged).toBeGreaterThan(200);
    expect(typeof db?.lost).toBe('number');
    expect(db?.lost).toBeGreaterThanOrEqual(0);
    expect(db?.lostSeqs).toHaveLength(Math.min(db?.lost ?? 0, 100));
    expect(report.status).toBe(
      db?.lost ? 'failed' : report.hypothesis.verdict === 'held' ? 'passed' : 'failed',
    );
  }, 120_000);

  it('leaves no database behind', () => {
    expect(pgDirs().filter((d) => !before.has(d))).toEqual([]);
  });
});
