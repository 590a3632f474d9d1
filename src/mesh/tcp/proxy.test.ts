import { afterEach, describe, expect, it } from 'vitest';
import {
  connectClient,
  connected,
  payload,
  startTcpServer,
  type TestTcpServer,
  within,
} from '../../../test/helpers/tcp-peers.js';
import type { RunEvent } from '../../core/event.js';
import { createRandom } from '../../core/random.js';
import { TcpProxy } from './proxy.js';
import type { TcpProxyOptions } from './proxy-options.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function echoServer(): Promise<TestTcpServer> {
  const s = await startTcpServer();
  cleanups.push(() => s.close());
  return s;
}

async function proxyTo(port: number, options: Partial<TcpProxyOptions> = {}): Promise<TcpProxy> {
  const p = await TcpProxy.start({
    name: 'db',
    upstream: port,
    random: createRandom(7),
    closeGraceMs: 200,
    ...options,
  });
  cleanups.push(() => p.close());
  return p;
}

describe('TcpProxy piping', () => {
  it('pipes bytes both ways unchanged, passes half-closes, and counts them', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    expect(proxy.address.host).toBe('127.0.0.1');
    expect(proxy.address.port).toBeGreaterThan(0);
    const client = connectClient(proxy.address.port, { allowHalfOpen: true });
    const sent = payload(1024 * 1024);
    client.socket.end(sent);
    const r = await within(client.done, 5000, 'echo through proxy');
    expect(r.errorCode).toBeUndefined();
    expect(r.ended).toBe(true);
    expect(r.data.equals(sent)).toBe(true);
    const stats = proxy.stats();
    expect(stats.connectionsTotal).toBe(1);
    expect(stats.upstream).toEqual({ receivedBytes: sent.length, sentBytes: sent.length });
    expect(stats.downstream).toEqual({ receivedBytes: sent.length, sentBytes: sent.length });
    await within(
      (async () => {
        while (proxy.stats().connectionsActive > 0) await new Promise((r) => setTimeout(r, 5));
      })(),
      2000,
      'connection released',
    );
  });

  it('keeps many connections apart', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    const clients = Array.from({ length: 20 }, (_, i) => {
      const c = connectClient(proxy.address.port, { allowHalfOpen: true });
      c.socket.end(payload(10_000 + i, i + 1));
      return { c, sent: payload(10_000 + i, i + 1) };
    });
    for (const { c, sent } of clients) {
      const r = await within(c.done, 5000, 'client');
      expect(r.data.equals(sent)).toBe(true);
    }
    expect(proxy.stats().connectionsTotal).toBe(20);
  });

  it('applies backpressure: a server that does not read makes the proxy stop reading', async () => {
    const server = await startTcpServer((s) => s.pause());
    cleanups.push(() => server.close());
    const proxy = await proxyTo(server.port, { highWaterMarkBytes: 256 * 1024 });
    const client = connectClient(proxy.address.port);
    await connected(client);
    const block = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 320; i++) client.socket.write(block); // 20 MiB offered
    await new Promise((r) => setTimeout(r, 300));
    const [info] = proxy.connections();
    expect(info).toBeDefined();
    // The proxy holds at most its high-water mark plus one read, whatever the client offers.
    expect(info!.upstreamStream.bufferedBytes).toBeLessThanOrEqual(256 * 1024 + 128 * 1024);
    expect(info!.upstreamStream.receivedBytes).toBeLessThan(10 * 1024 * 1024);
    expect(client.socket.writableLength).toBeGreaterThan(5 * 1024 * 1024);
    client.socket.destroy();
  });

  it('closes the client when the upstream refuses, and counts the connect error', async () => {
    const server = await echoServer();
    const port = server.port;
    await server.close();
    const proxy = await proxyTo(port);
    const r = await within(connectClient(proxy.address.port).done, 3000, 'client closed');
    expect(r.data.length).toBe(0);
    expect(proxy.stats().connectErrors).toBe(1);
  });

  it('refuses non-loopback addresses unless allowRemote', () => {
    expect(() => new TcpProxy({ name: 'x', upstream: '10.1.2.3:5432' })).toThrow(/not a loopback address/);
    expect(() => new TcpProxy({ name: 'x', upstream: 5432, listen: '0.0.0.0:0' })).toThrow(/not a loopback/);
    expect(() => new TcpProxy({ name: 'x', upstream: '10.1.2.3:5432', allowRemote: true })).not.toThrow();
    expect(() => new TcpProxy({ name: 'x', upstream: 'nope' })).toThrow(/expected host:port/);
  });

  it('reports a port in use as an environment error', async () => {
    const server = await echoServer();
    const a = await proxyTo(server.port);
    const b = new TcpProxy({ name: 'b', upstream: server.port, listen: a.address.port });
    await expect(b.listen()).rejects.toMatchObject({ code: 'E_TCP_LISTEN', exitCode: 4 });
  });
});

describe('TcpProxy down (enabled: false)', () => {
  it('refuses connections while down, closes open ones, and comes back on the same port', async () => {
    const server = await echoServer();
    const events: RunEvent[] = [];
    const proxy = await proxyTo(server.port, { events: { emit: (e) => events.push(e) } });
    const port = proxy.address.port;
    const open = connectClient(port);
    await connected(open);
    await proxy.disable();
    expect(proxy.enabled).toBe(false);
    const openResult = await within(open.done, 3000, 'open connection closed');
    expect(openResult.errorCode ?? 'closed').toBeDefined();
    const refused = await within(connectClient(port).done, 3000, 'refused');
    expect(refused.errorCode).toBe('ECONNREFUSED');
    await proxy.enable();
    expect(proxy.address.port).toBe(port);
    const again = connectClient(port, { allowHalfOpen: true });
    again.socket.end('back');
    expect((await within(again.done, 3000, 'up again')).data.toString()).toBe('back');
    expect(events.map((e) => e.kind)).toEqual(['mesh.tcp.listener.down', 'mesh.tcp.listener.up']);
    expect(events[0]).toMatchObject({ source: 'mesh', subject: 'db' });
  });

  it('can start down', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port, { enabled: false, listen: 0 });
    expect(proxy.enabled).toBe(false);
    await proxy.enable();
    const c = connectClient(proxy.address.port, { allowHalfOpen: true });
    c.socket.end('x');
    expect((await within(c.done, 3000, 'up')).data.toString()).toBe('x');
  });
});

describe('TcpProxy.setUpstream (failover)', () => {
  it('sends new connections to the new upstream and closes open ones by default', async () => {
    const primary = await startTcpServer((s) => s.end('primary'));
    const replica = await startTcpServer((s) => s.end('replica'));
    cleanups.push(
      () => primary.close(),
      () => replica.close(),
    );
    const held = await startTcpServer(() => {});
    cleanups.push(() => held.close());
    const proxy = await proxyTo(held.port);
    const open = connectClient(proxy.address.port);
    await connected(open);
    await within(
      (async () => {
        while (held.sockets.length === 0) await new Promise((r) => setTimeout(r, 5));
      })(),
      2000,
      'upstream accepted',
    );
    await proxy.setUpstream(`127.0.0.1:${replica.port}`);
    const closed = await within(open.done, 3000, 'old connection closed');
    expect(closed.ended || closed.errorCode !== undefined).toBe(true);
    const next = await within(connectClient(proxy.address.port).done, 3000, 'new connection');
    expect(next.data.toString()).toBe('replica');
    expect(proxy.upstream.port).toBe(replica.port);
  });

  it('keeps open connections on the old upstream with existing: keep', async () => {
    const old = await echoServer();
    const replica = await startTcpServer((s) => s.end('replica'));
    cleanups.push(() => replica.close());
    const proxy = await proxyTo(old.port);
    const open = connectClient(proxy.address.port, { allowHalfOpen: true });
    await connected(open);
    open.socket.write('a');
    await open.waitForBytes(1);
    await proxy.setUpstream(replica.port, { existing: 'keep' });
    open.socket.end('b');
    expect((await within(open.done, 3000, 'kept')).data.toString()).toBe('ab');
    const next = await within(connectClient(proxy.address.port).done, 3000, 'new');
    expect(next.data.toString()).toBe('replica');
  });

  it('resets open connections with existing: reset', async () => {
    const old = await echoServer();
    const proxy = await proxyTo(old.port);
    const open = connectClient(proxy.address.port);
    open.socket.write('a');
    await open.waitForBytes(1);
    await proxy.setUpstream(old.port, { existing: 'reset' });
    expect((await within(open.done, 3000, 'reset')).errorCode).toBe('ECONNRESET');
  });
});
