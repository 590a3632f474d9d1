// The shop's front door: the only service users talk to. It calls catalog, cart and
// orders over HTTP, at the base URLs in CATALOG_URL, CART_URL and ORDERS_URL (each a
// comma-separated list, balanced round robin; the replicas' URLs when services call each
// other directly, or one mesh URL), with keep-alive connection pools. A cookie `sid`
// identifies the shopper's cart.
//   GET  /                     links
//   GET  /products?page=N      a page of products        (catalog)
//   GET  /products/:id         one product               (catalog)
//   GET  /search?q=TAG         products with a tag       (catalog)
//   POST /cart {productId, quantity}   add to the cart   (catalog for the price, then cart)
//   GET  /cart                 the cart                  (cart)
//   POST /checkout             order the cart: 201, or 409 when it is empty (cart, orders)
//   GET  /orders/:id           an order                  (orders)
import { randomUUID } from 'node:crypto';
import { readJson, sendJson, startService } from './lib/service.mjs';
import { Upstream } from './lib/upstream.mjs';

const catalog = new Upstream('catalog', process.env.CATALOG_URL);
const cart = new Upstream('cart', process.env.CART_URL);
const orders = new Upstream('orders', process.env.ORDERS_URL);

/** Passes an upstream answer on as it came (status and JSON body), marking which service answered. */
function relay(res, upstream, r) {
  const status = r.status >= 500 ? 502 : r.status;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': r.body.length,
    'x-upstream': upstream.name,
    ...(r.headers['x-catalog-version'] ? { 'x-catalog-version': r.headers['x-catalog-version'] } : {}),
  });
  res.end(r.body);
}

function sessionOf(req) {
  return /(?:^|;\s*)sid=([\w-]{1,64})/.exec(req.headers.cookie ?? '')?.[1];
}

const links = JSON.stringify({
  shop: 'shakedown example shop',
  links: ['/products', '/products/1', '/search?q=garden', '/cart', '/checkout'],
});

async function handle(req, res, url) {
  const path = url.pathname;
  if (req.method === 'GET') {
    req.resume();
    if (path === '/') return sendJson(res, 200, links);
    if (path === '/products' || path.startsWith('/products/') || path === '/search')
      return relay(res, catalog, await catalog.request('GET', `${path}${url.search}`, { incoming: req }));
    if (path === '/cart') {
      const sid = sessionOf(req);
      if (!sid) return sendJson(res, 200, { items: [], totalCents: 0 });
      return relay(res, cart, await cart.request('GET', `/carts/${sid}`, { incoming: req }));
    }
    if (path.startsWith('/orders/'))
      return relay(res, orders, await orders.request('GET', path, { incoming: req }));
    return sendJson(res, 404, { error: 'not found' });
  }
  if (req.method === 'POST' && path === '/cart') {
    const body = await readJson(req);
    const productId = Number(body?.productId);
    const quantity = Number(body?.quantity ?? 1);
    if (!Number.isInteger(productId) || !Number.isInteger(quantity) || quantity < 1)
      return sendJson(res, 400, { error: 'expected {productId, quantity}' });
    const product = await catalog.json('GET', `/products/${productId}`, { incoming: req });
    if (product.status !== 200)
      return sendJson(res, product.status >= 500 ? 502 : product.status, product.value ?? {});
    let sid = sessionOf(req);
    const headers = {};
    if (!sid) {
      sid = randomUUID();
      headers['set-cookie'] = `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`;
    }
    const r = await cart.json('POST', `/carts/${sid}/items`, {
      incoming: req,
      json: { productId, quantity, priceCents: product.value.priceCents },
    });
    return sendJson(res, r.status >= 500 ? 502 : r.status, r.value ?? {}, headers);
  }
  if (req.method === 'POST' && path === '/checkout') {
    req.resume();
    const sid = sessionOf(req);
    const current = sid
      ? await cart.json('GET', `/carts/${sid}`, { incoming: req })
      : { status: 200, value: { items: [] } };
    if (current.status !== 200) return sendJson(res, 502, { error: 'cart unavailable' });
    if (current.value.items.length === 0) return sendJson(res, 409, { error: 'the cart is empty' });
    const order = await orders.json('POST', '/orders', {
      incoming: req,
      json: { cartId: sid, items: current.value.items, totalCents: current.value.totalCents },
    });
    if (order.status !== 201) return sendJson(res, 502, { error: 'orders unavailable' });
    await cart.request('DELETE', `/carts/${sid}`, { incoming: req });
    return sendJson(res, 201, order.value);
  }
  req.resume();
  return sendJson(res, 405, { error: 'method not allowed' });
}

startService({
  name: 'gateway',
  handle: (req, res, url) =>
    handle(req, res, url).catch((e) => {
      // An upstream that cannot be reached is the gateway's 502, not a 500.
      if (!res.headersSent) sendJson(res, e.status ?? 502, { error: e.message ?? String(e) });
      else res.destroy();
    }),
  close: () => Promise.all([catalog.close(), cart.close(), orders.close()]),
});
