// A keep-alive HTTP client for one upstream service, from a comma-separated list of base
// URLs (the service's replicas, or one mesh URL), balanced round robin. Each base URL has
// an undici Pool of keep-alive connections, so a request costs no connection setup.
import { Pool } from 'undici';

const forwarded = ['x-request-id', 'traceparent', 'tracestate'];

export class Upstream {
  constructor(name, urls, { connections = 128, timeoutMs = 10_000 } = {}) {
    const list = String(urls ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    if (list.length === 0) throw new Error(`no URL for upstream ${name}: set ${name.toUpperCase()}_URL`);
    this.name = name;
    this.pools = list.map(
      (u) =>
        new Pool(u, {
          connections,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        }),
    );
    this.next = 0;
  }

  /**
   * Sends a request; resolves `{status, headers, body}` with the body as a Buffer. Tracing
   * headers of the incoming request are passed on.
   */
  async request(method, path, { incoming, json } = {}) {
    const pool = this.pools[this.next++ % this.pools.length];
    const headers = {};
    if (incoming) for (const h of forwarded) if (incoming.headers[h]) headers[h] = incoming.headers[h];
    let body;
    if (json !== undefined) {
      body = JSON.stringify(json);
      headers['content-type'] = 'application/json';
    }
    const res = await pool.request({ method, path, headers, body });
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  }

  /** Like request, parsing a JSON answer. */
  async json(method, path, options) {
    const r = await this.request(method, path, options);
    return { status: r.status, value: r.body.length ? JSON.parse(r.body.toString('utf8')) : undefined };
  }

  close() {
    return Promise.all(this.pools.map((p) => p.close()));
  }
}
