import { describe, expect, it } from 'vitest';
import { until, useTcpFixture } from '../../../../test/helpers/tcp-fixture.js';
import { connectClient, within } from '../../../../test/helpers/tcp-peers.js';

const fx = useTcpFixture();

describe('reset_peer toxic', () => {
  it('gives the client ECONNRESET timeoutMs after data comes through', async () => {
    const serverErrors: string[] = [];
    const server = await fx.server((s) => {
      s.on('error', (e: NodeJS.ErrnoException) => serverErrors.push(e.code ?? ''));
      s.pipe(s);
    });
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeoutMs: 150 } });
    const c = connectClient(proxy.address.port);
    await new Promise((r) => c.socket.once('connect', r));
    const t0 = performance.now();
    c.socket.write('query');
    const r = await within(c.done, 3000, 'reset');
    expect(r.errorCode).toBe('ECONNRESET');
    expect(r.data.length).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    // The server side is reset too.
    await until(() => serverErrors.includes('ECONNRESET'), 1000, 'server reset');
  });

  it('with timeoutMs 0 resets at the first response byte (downstream)', async () => {
    const server = await fx.server((s) => s.write('welcome'));
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'reset_peer' });
    const r = await within(connectClient(proxy.address.port).done, 3000, 'reset');
    expect(r.errorCode).toBe('ECONNRESET');
    expect(r.data.length).toBe(0);
  });

  it('does nothing while no data flows', async () => {
    const server = await fx.server(() => {});
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'reset_peer' });
    const c = connectClient(proxy.address.port);
    await new Promise((r) => setTimeout(r, 150));
    expect(c.socket.destroyed).toBe(false);
    c.socket.destroy();
  });

  it('removed while it waits, lets the data through instead of resetting', async () => {
    const server = await fx.server();
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeoutMs: 5000 } });
    const c = connectClient(proxy.address.port, { allowHalfOpen: true });
    c.socket.write('saved');
    await new Promise((r) => setTimeout(r, 50));
    proxy.removeToxic('reset_peer_upstream');
    c.socket.end('!');
    const r = await within(c.done, 2000, 'echoed');
    expect(r.errorCode).toBeUndefined();
    expect(r.data.toString()).toBe('saved!');
  });
});
