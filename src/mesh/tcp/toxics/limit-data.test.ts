import { describe, expect, it } from 'vitest';
import { useTcpFixture } from '../../../../test/helpers/tcp-fixture.js';
import { connectClient, payload, within } from '../../../../test/helpers/tcp-peers.js';
import { limitDataTake } from './limit-data.js';

const fx = useTcpFixture();

describe('limitDataTake', () => {
  it('lets through what is left of the limit', () => {
    expect(limitDataTake(100, 0, 40)).toBe(40);
    expect(limitDataTake(100, 80, 40)).toBe(20);
    expect(limitDataTake(100, 100, 40)).toBe(0);
    expect(limitDataTake(0, 0, 40)).toBe(0);
  });
});

describe('limit_data toxic', () => {
  it('closes the connection after exactly N bytes', async () => {
    const body = payload(50_000);
    const server = await fx.server((s) => s.end(body));
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'limit_data', attributes: { bytes: '10KiB' } });
    const r = await within(connectClient(proxy.address.port).done, 3000, 'limited');
    expect(r.data.length).toBe(10_240);
    expect(r.data.equals(body.subarray(0, 10_240))).toBe(true);
    expect(r.ended).toBe(true);
  });

  it('counts bytes across writes of one connection, upstream', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'limit_data', stream: 'upstream', attributes: { bytes: 10 } });
    const c = connectClient(proxy.address.port);
    c.socket.write('12345');
    await c.waitForBytes(5);
    c.socket.write('6789abcdef');
    await within(c.done, 3000, 'closed');
    expect(Buffer.concat(server.received[0] ?? []).toString()).toBe('123456789a');
  });
});
