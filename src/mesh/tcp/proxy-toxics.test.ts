import { afterEach, describe, expect, it } from 'vitest';
import {
  connectClient,
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

describe('TcpProxy toxics', () => {
  it('names toxics <type>_<stream> by default and refuses duplicates and bad input', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    const t = proxy.addToxic({ type: 'latency', attributes: { latencyMs: 10 } });
    expect(t).toMatchObject({ name: 'latency_downstream', stream: 'downstream', toxicity: 1 });
    expect(t.attributes).toEqual({ latencyMs: 10, jitterMs: 0 });
    expect(() => proxy.addToxic({ type: 'latency', attributes: { latencyMs: 10 } })).toThrow(
      /already exists/,
    );
    expect(() => proxy.addToxic({ type: 'lag', attributes: {} })).toThrow(/unknown toxic type "lag"/);
    expect(() => proxy.addToxic({ type: 'latency', name: 'l2', attributes: { latency: 10 } })).toThrow(
      /attributes: unknown key "latency"; expected one of: jitterMs, latencyMs/,
    );
    expect(() =>
      proxy.addToxic({ type: 'latency', name: 'l3', toxicity: 2, attributes: { latencyMs: 1 } }),
    ).toThrow(/toxicity/);
    expect(proxy.toxics().map((x) => x.name)).toEqual(['latency_downstream']);
    expect(proxy.removeToxic('latency_downstream')).toBe(true);
    expect(proxy.removeToxic('latency_downstream')).toBe(false);
  });

  it('applies an added toxic to open connections and lifts it on removal', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    const client = connectClient(proxy.address.port);
    client.socket.write('1');
    await client.waitForBytes(1);
    proxy.addToxic({ type: 'latency', attributes: { latencyMs: 150 } });
    let t0 = performance.now();
    client.socket.write('2');
    await client.waitForBytes(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    proxy.removeToxic('latency_downstream');
    t0 = performance.now();
    client.socket.write('3');
    await client.waitForBytes(3);
    expect(performance.now() - t0).toBeLessThan(100);
    client.socket.destroy();
  });

  it('delivers what a removed toxic held, in order', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    proxy.addToxic({ type: 'latency', attributes: { latencyMs: 5000 } });
    const client = connectClient(proxy.address.port, { allowHalfOpen: true });
    client.socket.write('held-');
    await new Promise((r) => setTimeout(r, 50));
    proxy.removeToxic('latency_downstream');
    client.socket.end('after');
    const r = await within(client.done, 2000, 'flushed');
    expect(r.data.toString()).toBe('held-after');
  });

  it('draws toxicity per connection: 0 never acts, 1 always, 0.5 on about half', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    proxy.addToxic({ name: 'never', type: 'limit_data', toxicity: 0, attributes: { bytes: 1 } });
    proxy.addToxic({ name: 'half', type: 'limit_data', toxicity: '50%', attributes: { bytes: 2 } });
    let cut = 0;
    for (let i = 0; i < 40; i++) {
      const c = connectClient(proxy.address.port, { allowHalfOpen: true });
      c.socket.end('hello');
      const r = await within(c.done, 3000, 'client');
      if (r.data.toString() === 'he') cut++;
      else expect(r.data.toString()).toBe('hello');
    }
    expect(cut).toBeGreaterThan(8);
    expect(cut).toBeLessThan(32);
    const affected = Object.fromEntries(proxy.toxics().map((t) => [t.name, t.connectionsAffected]));
    expect(affected).toEqual({ never: 0, half: cut });
    proxy.addToxic({ name: 'always', type: 'limit_data', toxicity: 1, attributes: { bytes: 3 } });
    proxy.removeToxic('half');
    const c = connectClient(proxy.address.port, { allowHalfOpen: true });
    c.socket.end('hello');
    expect((await within(c.done, 3000, 'always')).data.toString()).toBe('hel');
  });

  it('a toxic acts only in its direction', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    proxy.addToxic({ type: 'latency', stream: 'upstream', attributes: { latencyMs: 200 } });
    const client = connectClient(proxy.address.port);
    const t0 = performance.now();
    client.socket.write('ping');
    await within(
      (async () => {
        while ((server.received[0]?.length ?? 0) === 0) await new Promise((r) => setTimeout(r, 2));
      })(),
      2000,
      'server got it',
    );
    const atServer = performance.now() - t0;
    await client.waitForBytes(4);
    const roundTrip = performance.now() - t0;
    expect(atServer).toBeGreaterThanOrEqual(195);
    // The echo back is not delayed again.
    expect(roundTrip - atServer).toBeLessThan(100);
    client.socket.destroy();
  });

  it('removes a toxic by itself when its TTL lease ends', async () => {
    const server = await echoServer();
    const events: RunEvent[] = [];
    const proxy = await proxyTo(server.port, { events: { emit: (e) => events.push(e) } });
    const info = proxy.addToxic({ type: 'timeout', stream: 'upstream' }, { ttlMs: 300 });
    expect(info.expiresAtMs).toBe(info.addedAtMs + 300);
    const stuck = connectClient(proxy.address.port);
    stuck.socket.write('lost');
    await new Promise((r) => setTimeout(r, 100));
    expect(stuck.receivedBytes()).toBe(0);
    // Toxiproxy closes a timed-out connection when the timeout toxic goes: its data was dropped.
    const r = await within(stuck.done, 2000, 'closed on expiry');
    expect(r.data.length).toBe(0);
    expect(proxy.toxics()).toEqual([]);
    const fresh = connectClient(proxy.address.port, { allowHalfOpen: true });
    fresh.socket.end('ok');
    expect((await within(fresh.done, 2000, 'after ttl')).data.toString()).toBe('ok');
    expect(events.map((e) => [e.kind, e.data.reason])).toEqual([
      ['mesh.tcp.toxic.added', undefined],
      ['mesh.tcp.toxic.removed', 'ttl'],
    ]);
  });

  it('reset() removes every toxic and brings the listener up', async () => {
    const server = await echoServer();
    const proxy = await proxyTo(server.port);
    proxy.addToxic({ type: 'latency', attributes: { latencyMs: 1000 } });
    proxy.addToxic({ type: 'bandwidth', stream: 'upstream', attributes: { rateKBps: 1 } });
    await proxy.disable();
    await proxy.reset();
    expect(proxy.enabled).toBe(true);
    expect(proxy.toxics()).toEqual([]);
  });

  it('closes everything promptly even with toxics holding data', async () => {
    const server = await echoServer();
    const proxy = new TcpProxy({ name: 'db', upstream: server.port, closeGraceMs: 200 });
    await proxy.listen();
    proxy.addToxic({ type: 'latency', attributes: { latencyMs: 10_000 } }, { ttlMs: 60_000 });
    const clients = [connectClient(proxy.address.port), connectClient(proxy.address.port)];
    for (const c of clients) c.socket.write('x'.repeat(1000));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await within(proxy.close(), 2000, 'close');
    expect(performance.now() - t0).toBeLessThan(1000);
    for (const c of clients) await within(c.done, 2000, 'client closed');
    expect(proxy.stats().connectionsActive).toBe(0);
    expect(proxy.toxics()).toEqual([]);
  });
});
