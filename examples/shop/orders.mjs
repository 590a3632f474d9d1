// Orders: POST /orders {cartId, items, totalCents} stores an order and answers 201 with
// its id; GET /orders/:id reads one back. Stored in SQLite by default (ORDERS_DB, default
// a file in the temp directory) and in PostgreSQL when DATABASE_URL is set. Not ready
// until the database is open.
import { openOrdersStore } from './lib/orders-store.mjs';
import { readJson, sendJson, startService } from './lib/service.mjs';

let store;

startService({
  name: 'orders',
  ready: () => store !== undefined,
  close: () => store?.close(),
  handle: async (req, res, url) => {
    if (!store) {
      req.resume();
      return sendJson(res, 503, { error: 'database not open yet' });
    }
    if (url.pathname === '/orders' && req.method === 'POST') {
      const body = await readJson(req);
      if (typeof body?.cartId !== 'string' || !Array.isArray(body.items) || !Number.isFinite(body.totalCents))
        return sendJson(res, 400, { error: 'expected {cartId, items, totalCents}' });
      const id = await store.insert({ cartId: body.cartId, items: body.items, totalCents: body.totalCents });
      return sendJson(res, 201, { id, totalCents: body.totalCents, items: body.items.length });
    }
    req.resume();
    const m = /^\/orders\/([\w-]{1,64})$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const order = await store.get(m[1]);
      return order ? sendJson(res, 200, order) : sendJson(res, 404, { error: 'no such order' });
    }
    return sendJson(res, 404, { error: 'not found' });
  },
});

openOrdersStore().then(
  (s) => {
    store = s;
    console.log(`orders: storing in ${s.kind} (${s.where})`);
  },
  (e) => {
    console.error(`orders: cannot open the database: ${e.message}`);
    process.exit(1);
  },
);
