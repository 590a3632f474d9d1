import pg from 'pg';
import { type Clock, systemClock } from '../../core/clock.js';

/**
 * The application's writes during a database failover, and the check that none it was
 * told were committed is lost. A client writes numbered rows through the mesh's TCP
 * listener — as the app does — one at a time at a steady rate, reconnecting after errors,
 * and keeps the outcome of each: acknowledged (COMMIT returned), failed before being sent,
 * or in doubt (the connection broke while it was in flight: it may or may not have
 * committed). `verify` reads the table on the database that is primary now: every
 * acknowledged row must be there; the missing ones are lost writes.
 */
export interface WriteStats {
  attempted: number;
  acknowledged: number;
  failed: number;
  /** In flight when the connection broke: outcome unknown, not counted as lost. */
  inDoubt: number;
  /** Last acknowledged write, ms since the epoch. */
  lastAckAt: number | null;
  lastAttemptOk: boolean | null;
  /** The longest stretch without an acknowledged write while writes were tried, in ms. */
  longestOutageMs: number;
  /** Start and end of that stretch. */
  outage: { fromMs: number; toMs: number | null } | null;
}

export interface WriteVerdict extends WriteStats {
  /** Acknowledged writes missing from the database after the failover. */
  lost: number;
  lostSeqs: number[];
  verifiedOn: string;
}

const table = 'shakedown_chaos_writes';

export class WriteChecker {
  private readonly acked: number[] = [];
  private seq = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private client: pg.Client | undefined;
  private stats: WriteStats = {
    attempted: 0,
    acknowledged: 0,
    failed: 0,
    inDoubt: 0,
    lastAckAt: null,
    lastAttemptOk: null,
    longestOutageMs: 0,
    outage: null,
  };
  private outageFrom: number | null = null;

  constructor(
    /** Where the app connects: the TCP listener. */
    private readonly url: string,
    private readonly ratePerSec: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Creates the table, makes the first write and goes on writing. */
  async start(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      await c.query(`CREATE TABLE IF NOT EXISTS ${table} (seq BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL)`);
    } finally {
      await c.end();
    }
    await this.writeOne();
    this.loop = this.run();
  }

  snapshot(): WriteStats {
    const s = { ...this.stats };
    if (this.outageFrom !== null) {
      const ms = this.clock.now() - this.outageFrom;
      if (ms > s.longestOutageMs) {
        s.longestOutageMs = ms;
        s.outage = { fromMs: this.outageFrom, toMs: null };
      }
    }
    return s;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  /** Checks every acknowledged write on the database at `url` (the primary now). */
  async verify(url: string): Promise<WriteVerdict> {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await c.connect();
    try {
      const r = await c.query(`SELECT seq FROM ${table} WHERE seq = ANY($1::bigint[])`, [this.acked]);
      const present = new Set(r.rows.map((row: { seq: string }) => Number(row.seq)));
      const lostSeqs = this.acked.filter((s) => !present.has(s));
      return { ...this.snapshot(), lost: lostSeqs.length, lostSeqs: lostSeqs.slice(0, 100), verifiedOn: url };
    } finally {
      await c.end();
    }
  }

  private async run(): Promise<void> {
    const gapMs = 1000 / Math.max(0.1, this.ratePerSec);
    while (!this.stopped) {
      const started = this.clock.now();
      await this.writeOne();
      const wait = gapMs - (this.clock.now() - started);
      if (wait > 0 && !this.stopped) await this.clock.sleep(wait);
    }
  }

  private async writeOne(): Promise<void> {
    const seq = ++this.seq;
    this.stats.attempted++;
    let sent = false;
    try {
      const c = await this.connection();
      sent = true;
      await c.query({
        text: `INSERT INTO ${table} (seq, at_ms) VALUES ($1, $2)`,
        values: [seq, this.clock.now()],
      });
      this.acked.push(seq);
      this.ok();
    } catch {
      if (sent) this.stats.inDoubt++;
      else this.stats.failed++;
      this.fail();
      await this.client?.end().catch(() => {});
      this.client = undefined;
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const c = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 1000,
      query_timeout: 5000,
    });
    c.on('error', () => {});
    await c.connect();
    this.client = c;
    return c;
  }

  private ok(): void {
    const now = this.clock.now();
    this.stats.acknowledged++;
    this.stats.lastAckAt = now;
    this.stats.lastAttemptOk = true;
    if (this.outageFrom !== null) {
      const ms = now - this.outageFrom;
      if (ms > this.stats.longestOutageMs) {
        this.stats.longestOutageMs = ms;
        this.stats.outage = { fromMs: this.outageFrom, toMs: now };
      }
      this.outageFrom = null;
    }
  }

  private fail(): void {
    this.stats.lastAttemptOk = false;
    // The outage starts at the last acknowledged write: from then on nothing was committed.
    this.outageFrom ??= this.stats.lastAckAt ?? this.clock.now();
  }
}
