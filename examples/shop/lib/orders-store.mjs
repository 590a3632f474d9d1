// Where orders are kept: SQLite (better-sqlite3) by default, PostgreSQL (pg) when
// DATABASE_URL is set. Both have the same small interface: insert(order) → id,
// get(id) → order | undefined, close().
//
// better-sqlite3 is synchronous, so inserts are group-committed: orders arriving within
// one turn of the event loop go in one transaction, written after the current I/O, and
// each request is answered when its transaction has committed. The event loop then does
// one short write per batch instead of one per request.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export async function openOrdersStore(env = process.env) {
  return env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL)
    : openSqlite(env.ORDERS_DB ?? join(tmpdir(), 'shakedown-shop', 'orders.db'));
}

async function openSqlite(file) {
  const { default: Database } = await import('better-sqlite3');
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, cart_id TEXT NOT NULL, items TEXT NOT NULL,
    total_cents INTEGER NOT NULL, created_at INTEGER NOT NULL)`);
  const insert = db.prepare(
    'INSERT INTO orders (id, cart_id, items, total_cents, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const select = db.prepare('SELECT id, cart_id, items, total_cents, created_at FROM orders WHERE id = ?');
  const insertAll = db.transaction((batch) => {
    for (const o of batch) insert.run(o.id, o.cartId, JSON.stringify(o.items), o.totalCents, o.createdAt);
  });
  let pending = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    try {
      insertAll(batch.map((p) => p.order));
      for (const p of batch) p.resolve(p.order.id);
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  };
  return {
    kind: 'sqlite',
    where: file,
    insert(order) {
      return new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ order: { ...order, id: randomUUID(), createdAt: Date.now() }, resolve, reject });
      });
    },
    async get(id) {
      const row = select.get(id);
      return (
        row && {
          id: row.id,
          cartId: row.cart_id,
          items: JSON.parse(row.items),
          totalCents: row.total_cents,
          createdAt: row.created_at,
        }
      );
    },
    async close() {
      if (pending.length) flush();
      db.close();
    },
  };
}

async function openPostgres(url) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle connection lost with its server (a database failover) is replaced on the next
  // query; without a listener the pool's error would end the process.
  pool.on('error', () => {});
  await pool.query(`CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, cart_id TEXT NOT NULL, items JSONB NOT NULL,
    total_cents BIGINT NOT NULL, created_at BIGINT NOT NULL)`);
  return {
    kind: 'postgresql',
    where: url.replace(/\/\/[^@/]*@/, '//***@'),
    async insert(order) {
      const id = randomUUID();
      await pool.query(
        'INSERT INTO orders (id, cart_id, items, total_cents, created_at) VALUES ($1, $2, $3, $4, $5)',
        [id, order.cartId, JSON.stringify(order.items), order.totalCents, Date.now()],
      );
      return id;
    },
    async get(id) {
      const { rows } = await pool.query(
        'SELECT id, cart_id, items, total_cents, created_at FROM orders WHERE id = $1',
        [id],
      );
      const row = rows[0];
      return (
        row && {
          id: row.id,
          cartId: row.cart_id,
          items: row.items,
          totalCents: Number(row.total_cents),
          createdAt: Number(row.created_at),
        }
      );
    },
    close: () => pool.end(),
  };
}
