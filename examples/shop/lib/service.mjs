// What every shop service shares: an HTTP server on 127.0.0.1:$PORT with keep-alive,
// /healthz and /readyz, JSON helpers, a graceful stop on SIGTERM (in-flight requests
// finish, idle keep-alive connections close) and an exit when the parent (the fleet)
// dies, noticed by its stdin pipe closing. Plain Node, no framework.
import { createServer } from 'node:http';

/** Sends `value` as JSON. */
export function sendJson(res, status, value, headers = {}) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Reads a JSON body of at most `limitBytes`; resolves undefined for an empty body, rejects on bad JSON. */
export function readJson(req, limitBytes = 64 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limitBytes) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(Object.assign(new Error('body is not JSON'), { status: 400 }));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Starts a service. `handle(req, res, url)` answers everything but /healthz and /readyz;
 * it may return a promise. `ready()` says whether /readyz passes (default: always);
 * `close()` runs after the server stopped, before the process exits.
 */
export function startService({ name, handle, ready = () => true, close = async () => {} }) {
  const port = Number(process.env.PORT ?? 0);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true, service: name });
    if (url.pathname === '/readyz') {
      const ok = ready();
      return sendJson(res, ok ? 200 : 503, { ready: ok, service: name });
    }
    Promise.resolve()
      .then(() => handle(req, res, url))
      .catch((e) => {
        if (!res.headersSent) sendJson(res, e.status ?? 500, { error: e.message ?? String(e) });
        else res.destroy();
      });
  });
  server.maxRequestsPerSocket = 0;
  server.listen({ port, host, backlog: 4096 }, () => {
    console.log(`${name} listening on http://${host}:${server.address().port} (pid ${process.pid})`);
  });
  let stopping = false;
  const stop = (why) => {
    if (stopping) return;
    stopping = true;
    console.log(`${name}: ${why}; stopping`);
    server.close(() => {
      close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (process.env.SHAKEDOWN_EXIT_WITH_PARENT === '1') {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  }
  return server;
}
