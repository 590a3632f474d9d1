import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeDefinition } from './definition.js';
import { PortAllocator } from './ports.js';
import { checkProbe } from './probe-check.js';

const probe = (p: Partial<ProbeDefinition>): ProbeDefinition => ({
  kind: 'http',
  intervalMs: 1000,
  timeoutMs: 300,
  initialDelayMs: 0,
  successThreshold: 1,
  failureThreshold: 3,
  ...p,
});

const servers: Array<{ close(cb?: () => void): unknown }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('checkProbe', () => {
  it('passes HTTP 2xx and 3xx, fails 4xx/5xx, hangs and refused connections', async () => {
    const port = await listen(
      createHttpServer((req, res) => {
        if (req.url === '/hang') return;
        res.writeHead(Number(req.url?.slice(1))).end();
      }),
    );
    expect(await checkProbe(probe({ path: '/200' }), '127.0.0.1', port)).toBe(true);
    expect(await checkProbe(probe({ path: '/302' }), '127.0.0.1', port)).toBe(true);
    expect(await checkProbe(probe({ path: '/404' }), '127.0.0.1', port)).toBe(false);
    expect(await checkProbe(probe({ path: '/503' }), '127.0.0.1', port)).toBe(false);
    const t0 = Date.now();
    expect(await checkProbe(probe({ path: '/hang' }), '127.0.0.1', port)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
    const closed = await new PortAllocator().allocate('127.0.0.1');
    expect(await checkProbe(probe({ path: '/' }), '127.0.0.1', closed)).toBe(false);
  });

  it('passes a TCP probe when the port accepts connections', async () => {
    const port = await listen(createServer((s) => s.end()));
    expect(await checkProbe(probe({ kind: 'tcp' }), '127.0.0.1', port)).toBe(true);
    const closed = await new PortAllocator().allocate('127.0.0.1');
    expect(await checkProbe(probe({ kind: 'tcp' }), '127.0.0.1', closed)).toBe(false);
  });
});

describe('PortAllocator', () => {
  it('never hands out the same port twice until released, nor a reserved one', async () => {
    const ports = new PortAllocator();
    const got = new Set<number>();
    for (let i = 0; i < 20; i++) got.add(await ports.allocate('127.0.0.1'));
    expect(got.size).toBe(20);
    for (const p of got) expect(p).toBeGreaterThan(0);
  });
});
