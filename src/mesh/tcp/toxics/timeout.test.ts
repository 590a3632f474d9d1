import { describe, expect, it } from 'vitest';
import { until, useTcpFixture } from '../../../../test/helpers/tcp-fixture.js';
import { connectClient, within } from '../../../../test/helpers/tcp-peers.js';

const fx = useTcpFixture();

describe('timeout toxic', () => {
  it('stops all data and closes the connection after timeoutMs', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'timeout', stream: 'upstream', attributes: { timeoutMs: 200 } });
    const c = connectClient(proxy.address.port);
    c.socket.write('hello');
    const r = await within(c.done, 3000, 'closed');
    expect(r.data.length).toBe(0);
    expect(server.received[0] ?? []).toEqual([]);
    expect(r.closeMs).toBeGreaterThanOrEqual(195);
  });

  it('with timeoutMs 0 holds the connection open and silent until removed, then closes it', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'timeout' });
    const c = connectClient(proxy.address.port);
    c.socket.write('hello');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.receivedBytes()).toBe(0);
    expect(c.socket.destroyed).toBe(false);
    proxy.removeToxic('timeout_downstream');
    const r = await within(c.done, 2000, 'closed on removal');
    expect(r.data.length).toBe(0);
  });

  it('leaves connections it does not act on alone', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'timeout', toxicity: 0, attributes: { timeoutMs: 50 } });
    const c = connectClient(proxy.address.port);
    c.socket.write('hi');
    await c.waitForBytes(2);
    await new Promise((r) => setTimeout(r, 150));
    expect(c.socket.destroyed).toBe(false);
    await until(() => proxy.connections().length === 1, 500, 'still open');
    c.socket.destroy();
  });
});
