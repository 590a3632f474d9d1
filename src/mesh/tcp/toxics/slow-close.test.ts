import { describe, expect, it } from 'vitest';
import { useTcpFixture } from '../../../../test/helpers/tcp-fixture.js';
import { connectClient, within } from '../../../../test/helpers/tcp-peers.js';

const fx = useTcpFixture();

describe('slow_close toxic', () => {
  it('passes data at once and the close delayMs late', async () => {
    const server = await fx.server((s) => s.end('bye'));
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'slow_close', attributes: { delayMs: 250 } });
    const r = await within(connectClient(proxy.address.port).done, 3000, 'closed');
    expect(r.data.toString()).toBe('bye');
    expect(r.ended).toBe(true);
    expect(r.firstByteMs).toBeLessThan(150);
    expect(r.closeMs).toBeGreaterThanOrEqual(245);
  });

  it('delays only its own direction', async () => {
    const server = await fx.server((s) => s.end('bye'));
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'slow_close', stream: 'upstream', attributes: { delayMs: 2000 } });
    const r = await within(connectClient(proxy.address.port).done, 3000, 'closed');
    expect(r.ended).toBe(true);
    expect(r.closeMs).toBeLessThan(500);
  });
});
