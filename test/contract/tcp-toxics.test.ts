import { describe, expect, it } from 'vitest';
import { createToxicRegistry } from '../../src/mesh/tcp/core/registry.js';
import type { Stream } from '../../src/mesh/tcp/core/types.js';
import { until, useTcpFixture } from '../helpers/tcp-fixture.js';
import { connectClient, payload, within } from '../helpers/tcp-peers.js';

/**
 * The contract every TCP toxic type keeps, run against each registered type with its own
 * example attributes, through a real proxy and a real echo server: what arrives is never
 * corrupted or reordered (all of it for `complete` toxics, a prefix for the others), the
 * toxic can be added to and removed from an open connection, and it never keeps a closing
 * proxy waiting.
 */

const fx = useTcpFixture();
const registry = createToxicRegistry();
const streams: Stream[] = ['upstream', 'downstream'];

function isPrefix(got: Buffer, sent: Buffer): boolean {
  return got.length <= sent.length && got.equals(sent.subarray(0, got.length));
}

describe.each(registry.types())('toxic %s', (type) => {
  const def = registry.get(type);

  it('has a snake_case type, a summary, and strict attributes that accept its example', () => {
    expect(def.type).toBe(type);
    expect(type).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(def.summary.length).toBeGreaterThan(10);
    expect(def.attributes.safeParse(def.example).success).toBe(true);
    expect(def.attributes.safeParse({ ...def.example, notAnAttribute: 1 }).success).toBe(false);
    expect(['complete', 'prefix']).toContain(def.integrity);
  });

  it.each(streams)('keeps the bytes that pass unchanged and in order (%s)', async (stream) => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type, stream, attributes: def.example });
    const sent = payload(64 * 1024, type.length);
    const client = connectClient(proxy.address.port, { allowHalfOpen: true });
    client.socket.end(sent);
    const r = await within(client.done, 8000, `${type} ${stream} exchange`);
    if (def.integrity === 'complete') {
      expect(r.errorCode).toBeUndefined();
      expect(r.data.length).toBe(sent.length);
      expect(r.data.equals(sent)).toBe(true);
    } else {
      expect(isPrefix(r.data, sent)).toBe(true);
    }
    // What the server received is a prefix of what was sent, too.
    expect(isPrefix(Buffer.concat(server.received[0] ?? []), sent)).toBe(true);
  });

  it('can be added to and removed from an open connection', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    const client = connectClient(proxy.address.port, { allowHalfOpen: true });
    const before = payload(4096, 1);
    client.socket.write(before);
    await within(client.waitForBytes(before.length), 3000, 'clean exchange');
    const info = proxy.addToxic({ type, stream: 'downstream', attributes: def.example });
    await until(
      () => proxy.connections()[0]?.toxicIds.includes(info.id) ?? true,
      1000,
      'toxic on connection',
    );
    const during = payload(4096, 2);
    if (!client.socket.destroyed) client.socket.write(during);
    await new Promise((r) => setTimeout(r, 30));
    expect(proxy.removeToxic(info.name)).toBe(true);
    const after = payload(4096, 3);
    if (!client.socket.destroyed) client.socket.end(after);
    const r = await within(client.done, 8000, `${type} add/remove`);
    const sent = Buffer.concat([before, during, after]);
    if (def.integrity === 'complete') {
      expect(r.data.equals(sent)).toBe(true);
    } else {
      expect(isPrefix(r.data, sent)).toBe(true);
      expect(r.data.length).toBeGreaterThanOrEqual(before.length);
    }
    expect(proxy.toxics()).toEqual([]);
  });

  it('does not keep a closing proxy waiting', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    for (const stream of streams)
      proxy.addToxic({ type, stream, attributes: def.example }, { ttlMs: 60_000 });
    const clients = [0, 1, 2].map(() => connectClient(proxy.address.port));
    for (const c of clients) c.socket.write(payload(32 * 1024));
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await within(proxy.close(), 2000, `${type}: proxy close`);
    expect(performance.now() - t0).toBeLessThan(1500);
    for (const c of clients) await within(c.done, 2000, 'client closed');
    expect(proxy.stats().connectionsActive).toBe(0);
  });
});
