// Carts, in memory, by cart id (the gateway's session cookie): add items, read, empty.
// The oldest carts are dropped past 200,000, so a long load test cannot exhaust memory.
import { readJson, sendJson, startService } from './lib/service.mjs';

const maxCarts = 200_000;
const carts = new Map();

function cartOf(id) {
  return carts.get(id) ?? { id, items: [], totalCents: 0 };
}

startService({
  name: 'cart',
  handle: async (req, res, url) => {
    const m = /^\/carts\/([\w-]{1,64})(\/items)?$/.exec(url.pathname);
    if (!m) {
      req.resume();
      return sendJson(res, 404, { error: 'not found' });
    }
    const id = m[1];
    if (m[2] && req.method === 'POST') {
      const body = await readJson(req);
      const quantity = Number(body?.quantity ?? 1);
      const priceCents = Number(body?.priceCents);
      if (
        !Number.isInteger(body?.productId) ||
        !Number.isInteger(quantity) ||
        quantity < 1 ||
        !Number.isFinite(priceCents)
      )
        return sendJson(res, 400, { error: 'expected {productId, quantity, priceCents}' });
      const cart = cartOf(id);
      const line = cart.items.find((l) => l.productId === body.productId);
      if (line) line.quantity += quantity;
      else if (cart.items.length < 100) cart.items.push({ productId: body.productId, quantity, priceCents });
      else return sendJson(res, 409, { error: 'cart is full' });
      cart.totalCents += quantity * priceCents;
      // Re-inserting keeps the Map in least-recently-used order.
      carts.delete(id);
      carts.set(id, cart);
      if (carts.size > maxCarts) carts.delete(carts.keys().next().value);
      return sendJson(res, 200, cart);
    }
    req.resume();
    if (!m[2] && req.method === 'GET') return sendJson(res, 200, cartOf(id));
    if (!m[2] && req.method === 'DELETE') {
      carts.delete(id);
      return sendJson(res, 200, { id, items: [], totalCents: 0 });
    }
    return sendJson(res, 405, { error: 'method not allowed' });
  },
});
