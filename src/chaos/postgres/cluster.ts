import { appendFileSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PortAllocator } from '../../fleet/ports.js';
import type { UndoStep } from '../run/lease-keeper.js';
import { findPgBinaries, type PgBinaries, pgArgv, runPg } from './binaries.js';

/**
 * A PostgreSQL primary with one streaming replica, started by Shakedown from the machine's
 * binaries for a database-failover experiment: `initdb` the primary, `pg_basebackup -R`
 * the replica from it, both on free loopback ports in a private temporary directory. With
 * `synchronous` replication the primary waits for the replica to flush every commit
 * (`synchronous_standby_names`), so a commit it acknowledged survives its loss; with
 * `asynchronous` it does not wait. The fault kills the primary (SIGKILL to the postmaster
 * and its backends, a crash); the failover promotes the replica (`pg_ctl promote`).
 */
export type Replication = 'synchronous' | 'asynchronous';

export interface PgNode {
  name: 'primary' | 'replica';
  port: number;
  dataDir: string;
}

const standbyName = 'shakedown_replica';

export class PostgresCluster {
  /** The node that takes writes now (the replica after a failover). */
  writable: PgNode;

  private constructor(
    readonly dir: string,
    readonly primary: PgNode,
    readonly replica: PgNode,
    readonly replication: Replication,
    private readonly bins: PgBinaries,
  ) {
    this.writable = primary;
  }

  /** Starts both servers and resolves when the replica is streaming (and synchronous, if asked). */
  static async start(options: {
    replication: Replication;
    env?: NodeJS.ProcessEnv;
  }): Promise<PostgresCluster> {
    const bins = findPgBinaries(options.env);
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-pg-'));
    if (bins.asPostgres) chownSync(dir, bins.uid as number, bins.gid as number);
    const ports = new PortAllocator();
    const primary: PgNode = {
      name: 'primary',
      port: await ports.allocate('127.0.0.1'),
      dataDir: join(dir, 'primary'),
    };
    const replica: PgNode = {
      name: 'replica',
      port: await ports.allocate('127.0.0.1'),
      dataDir: join(dir, 'replica'),
    };
    const cluster = new PostgresCluster(dir, primary, replica, options.replication, bins);
    try {
      await runPg(bins, 'initdb', [
        '-D',
        primary.dataDir,
        '-A',
        'trust',
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--no-sync',
      ]);
      cluster.configure(primary, [
        `synchronous_standby_names = '${options.replication === 'synchronous' ? standbyName : ''}'`,
        'synchronous_commit = on',
        'wal_level = replica',
        'max_wal_senders = 5',
      ]);
      await cluster.startNode(primary);
      await runPg(bins, 'pg_basebackup', [
        '-D',
        replica.dataDir,
        '-d',
        `host=127.0.0.1 port=${primary.port} user=postgres application_name=${standbyName}`,
        '-R',
        '-X',
        'stream',
        '--no-sync',
      ]);
      // The copied postgresql.conf names the primary's settings; the last line wins. A
      // promoted replica must not wait for a standby of its own.
      cluster.configure(replica, ["synchronous_standby_names = ''"]);
      await cluster.startNode(replica);
      await cluster.awaitStreaming(30_000);
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** A connection string to a node, directly (not through the mesh). */
  url(node: PgNode = this.writable): string {
    return `postgres://postgres@127.0.0.1:${node.port}/postgres`;
  }

  /** The postmaster's pid, from postmaster.pid; undefined when it is not running. */
  postmasterPid(node: PgNode): number | undefined {
    try {
      const pid = Number(readFileSync(join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // A killed postmaster nobody reaped yet is a zombie: gone.
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? undefined : pid;
    } catch {
      return undefined;
    }
  }

  /** Crashes a node: SIGKILL to the postmaster and every backend it had. */
  crash(node: PgNode): number | undefined {
    const pid = this.postmasterPid(node);
    if (pid === undefined) return undefined;
    const children = childrenOf(pid);
    for (const p of [pid, ...children]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return pid;
  }

  /** Promotes the replica to primary and waits until it takes writes. */
  async promote(): Promise<void> {
    await runPg(this.bins, 'pg_ctl', ['-D', this.replica.dataDir, 'promote', '-w', '-t', '60']);
    this.writable = this.replica;
  }

  /** Undo steps for the lease keeper: stop both servers and remove the directory. */
  undoSteps(): UndoStep[] {
    return [
      { exec: pgArgv(this.bins, 'pg_ctl', ['-D', this.primary.dataDir, '-m', 'immediate', 'stop']) },
      { exec: pgArgv(this.bins, 'pg_ctl', ['-D', this.replica.dataDir, '-m', 'immediate', 'stop']) },
      { rmdir: this.dir },
    ];
  }

  /** Stops both servers (immediately) and removes their files. */
  async stop(): Promise<void> {
    for (const node of [this.primary, this.replica]) {
      if (this.postmasterPid(node) === undefined) continue;
      await runPg(this.bins, 'pg_ctl', ['-D', node.dataDir, '-m', 'immediate', '-w', 'stop'], 60_000).catch(
        () => this.crash(node),
      );
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private configure(node: PgNode, lines: string[]): void {
    appendFileSync(
      join(node.dataDir, 'postgresql.conf'),
      `\n# shakedown chaos\n${[
        `port = ${node.port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${this.dir}'`,
        'fsync = off',
        'max_connections = 50',
        ...lines,
      ].join('\n')}\n`,
    );
  }

  private async startNode(node: PgNode): Promise<void> {
    await runPg(this.bins, 'pg_ctl', [
      '-D',
      node.dataDir,
      '-l',
      join(this.dir, `${node.name}.log`),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  private async awaitStreaming(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    const want = this.replication === 'synchronous' ? 'sync' : 'async';
    let seen = 'nothing';
    while (Date.now() < until) {
      const c = new pg.Client({ connectionString: this.url(this.primary) });
      try {
        await c.connect();
        const r = await c.query(
          'SELECT state, sync_state FROM pg_stat_replication WHERE application_name = $1',
          [standbyName],
        );
        const row = r.rows[0] as { state: string; sync_state: string } | undefined;
        if (row) seen = `${row.state}/${row.sync_state}`;
        if (row?.state === 'streaming' && row.sync_state === want) return;
      } catch {
        // Not up yet.
      } finally {
        await c.end().catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the replica did not start streaming (${want}) within ${timeoutMs} ms; saw ${seen}`);
  }
}

/** Pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}
