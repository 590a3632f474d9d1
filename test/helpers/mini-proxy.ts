import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DrainResult, MeshEndpoint, MeshPort } from '../../src/fleet/mesh-port.js';

/**
 * A minimal real HTTP reverse proxy implementing MeshPort, for testing the fleet's mesh
 * seam with traffic before the real mesh is wired in: round robin over the endpoints of
 * one service (all versions), in-flight counts per endpoint, drains that wait for them.
 * No retries, so any request that reaches a stopped replica shows as a failure.
 */
export class MiniProxy implements MeshPort {
  private readonly endpoints: Array<MeshEndpoint & { version: string; inFlight: number; draining: boolean }> =
    [];
  private readonly drainWaiters = new Map<string, () => void>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private next = 0;
  private server: Server | undefined;
  /** Requests answered 502 because no endpoint was available or the upstream failed. */
  failures = 0;

  constructor(readonly service: string) {}

  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const live = this.endpoints.filter((e) => !e.draining);
      const ep = live[this.next++ % Math.max(1, live.length)];
      if (!ep) {
        this.failures++;
        res.writeHead(502).end('no endpoint');
        return;
      }
      ep.inFlight++;
      const done = () => {
        ep.inFlight--;
        if (ep.inFlight === 0) this.drainWaiters.get(ep.id)?.();
      };
      const up = request(
        {
          host: ep.host,
          port: ep.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
          agent: this.agent,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          upRes.once('end', done);
          upRes.once('error', done);
        },
      );
      up.once('error', (e) => {
        this.failures++;
        done();
        if (!res.headersSent) res.writeHead(502).end(String(e));
        else res.destroy();
      });
      req.pipe(up);
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  async addEndpoint(service: string, version: string, endpoint: MeshEndpoint): Promise<void> {
    if (service !== this.service) return;
    this.endpoints.push({ ...endpoint, version, inFlight: 0, draining: false });
  }

  drainEndpoint(
    _service: string,
    _version: string,
    endpoint: MeshEndpoint,
    timeoutMs: number,
  ): Promise<DrainResult> {
    const id = endpoint.id;
    const ep = this.endpoints.find((e) => e.id === id);
    if (!ep) return Promise.resolve({ drained: true, inFlight: 0 });
    ep.draining = true;
    if (ep.inFlight === 0) return Promise.resolve({ drained: true, inFlight: 0 });
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (drained: boolean) => {
        clearTimeout(timer);
        this.drainWaiters.delete(id);
        resolve({ drained, inFlight: ep.inFlight });
      };
      this.drainWaiters.set(id, () => finish(true));
    });
  }

  async removeEndpoint(_service: string, _version: string, endpoint: MeshEndpoint): Promise<void> {
    const i = this.endpoints.findIndex((e) => e.id === endpoint.id);
    if (i >= 0) this.endpoints.splice(i, 1);
  }

  /** Ids of the endpoints taking traffic now. */
  live(): string[] {
    return this.endpoints.filter((e) => !e.draining).map((e) => e.id);
  }
}
