// The catalog: 500 products, listed by page, by id and by search tag. Responses are
// serialized once at start, so a request does no work but the lookup. For regression and
// canary demos a version can be made slower or failing by env:
//   CATALOG_DELAY_MS    added to every answer (a timer, not busy work)
//   CATALOG_ERROR_RATE  share of requests answered 503, in [0, 1]
import { sendJson, startService } from './lib/service.mjs';

const delayMs = Number(process.env.CATALOG_DELAY_MS ?? 0);
const errorRate = Number(process.env.CATALOG_ERROR_RATE ?? 0);
const version = process.env.SHAKEDOWN_VERSION ?? 'v1';
const pageSize = 20;

const tags = ['garden', 'kitchen', 'outdoor', 'office', 'toys', 'books', 'tools'];
const products = Array.from({ length: 500 }, (_, i) => ({
  id: i + 1,
  name: `Product ${i + 1}`,
  priceCents: 199 + ((i * 7919) % 20_000),
  tags: [tags[i % 7], `t${i % 7}`, `t${i % 11}`],
  stock: (i * 31) % 97,
}));
const byId = products.map((p) => JSON.stringify(p));
const pages = [];
for (let i = 0; i < products.length; i += pageSize) {
  pages.push(JSON.stringify({ page: pages.length + 1, items: products.slice(i, i + pageSize) }));
}
const searches = new Map();
for (const p of products)
  for (const t of p.tags) {
    if (!searches.has(t)) searches.set(t, []);
    searches.get(t).push(p);
  }
const searchJson = new Map(
  [...searches].map(([t, items]) => [t, JSON.stringify({ q: t, items: items.slice(0, pageSize) })]),
);
const noMatch = JSON.stringify({ items: [] });
const headers = { 'x-catalog-version': version };

function answer(req, res, url) {
  if (errorRate > 0 && Math.random() < errorRate)
    return sendJson(res, 503, { error: 'catalog unavailable' }, headers);
  const path = url.pathname;
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' }, headers);
  if (path === '/products') {
    const page = Math.max(1, Math.min(pages.length, Number(url.searchParams.get('page') ?? 1) || 1));
    return sendJson(res, 200, pages[page - 1], headers);
  }
  if (path.startsWith('/products/')) {
    const text = byId[Number(path.slice(10)) - 1];
    return text
      ? sendJson(res, 200, text, headers)
      : sendJson(res, 404, { error: 'no such product' }, headers);
  }
  if (path === '/search') {
    return sendJson(res, 200, searchJson.get(url.searchParams.get('q') ?? '') ?? noMatch, headers);
  }
  return sendJson(res, 404, { error: 'not found' }, headers);
}

startService({
  name: `catalog ${version}`,
  handle: (req, res, url) => {
    req.resume();
    if (delayMs > 0) setTimeout(() => answer(req, res, url), delayMs);
    else answer(req, res, url);
  },
});
