// A small example HTTP service for the demo and tests: a product catalog with search and
// a cart, in plain Node. Listens on 127.0.0.1:$PORT (0 picks a free port) and prints one
// JSON line {"event":"listening","port":N} when ready. Env: DELAY_MS adds latency to
// every response; FAIL_RATE (0..1) answers that share of requests with 503.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const delayMs = Number(process.env.DELAY_MS ?? 0);
const failRate = Number(process.env.FAIL_RATE ?? 0);

const products = Array.from({ length: 500 }, (_, i) => ({
  id: i + 1,
  name: `Product ${i + 1}`,
  priceCents: 199 + ((i * 7919) % 20_000),
  tags: [`t${i % 7}`, `t${i % 11}`],
}));
const carts = new Map();

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(req, res) {
  if (failRate > 0 && Math.random() < failRate) return send(res, 503, { error: 'unavailable' });
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  if (path === '/healthz' || path === '/readyz') return send(res, 200, { ok: true });
  if (path === '/' || path === '/products') return send(res, 200, { items: products.slice(0, 20) });
  if (path.startsWith('/products/')) {
    const p = products[Number(path.slice(10)) - 1];
    return p ? send(res, 200, p) : send(res, 404, { error: 'not found' });
  }
  if (path === '/search') {
    const q = url.searchParams.get('q') ?? '';
    return send(res, 200, { items: products.filter((p) => p.tags.includes(q)).slice(0, 20) });
  }
  if (path === '/cart' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      let sid = /sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
      const headers = {};
      if (!sid) {
        sid = Math.random().toString(36).slice(2);
        headers['set-cookie'] = `sid=${sid}; Path=/; HttpOnly`;
      }
      const items = carts.get(sid) ?? [];
      items.push(body.length);
      if (carts.size > 50_000) carts.clear();
      carts.set(sid, items);
      const text = JSON.stringify({ items: items.length });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
    });
    return;
  }
  return send(res, 404, { error: 'not found' });
}

const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
  if (delayMs > 0) setTimeout(() => handle(req, res), delayMs);
  else handle(req, res);
});
server.maxRequestsPerSocket = 0;
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.address().port })}\n`);
});
// Started by Shakedown with a stdin pipe: when the parent dies, even by SIGKILL, the pipe
// closes and the service stops too, so no orphan is left behind.
if (process.env.SHAKEDOWN_EXIT_WITH_PARENT === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
