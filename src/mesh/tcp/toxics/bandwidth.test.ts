import { describe, expect, it } from 'vitest';
import { useTcpFixture } from '../../../../test/helpers/tcp-fixture.js';
import { connectClient, payload, within } from '../../../../test/helpers/tcp-peers.js';
import { bandwidthSlices, transmitMs } from './bandwidth.js';

const fx = useTcpFixture();

describe('bandwidthSlices', () => {
  it('cuts chunks into at most 100 ms of data at the rate', () => {
    expect(bandwidthSlices(25_000, 100)).toEqual([10_000, 10_000, 5_000]);
    expect(bandwidthSlices(500, 100)).toEqual([500]);
    expect(bandwidthSlices(3, 0.01)).toEqual([1, 1, 1]);
    expect(bandwidthSlices(7, 0)).toEqual([7]);
    expect(bandwidthSlices(0, 10)).toEqual([]);
  });
  it('transmitMs uses KB = 1000 bytes', () => {
    expect(transmitMs(1000, 1)).toBe(1000);
    expect(transmitMs(64_000, 64)).toBe(1000);
    expect(transmitMs(123, 0)).toBe(0);
  });
});

describe('bandwidth toxic', () => {
  it('limits downstream throughput to the rate within 25 %', async () => {
    const body = payload(100_000);
    const server = await fx.server((s) => s.end(body));
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'bandwidth', attributes: { rateKBps: 250 } });
    const r = await within(connectClient(proxy.address.port).done, 5000, 'download');
    expect(r.data.equals(body)).toBe(true);
    const seconds = r.closeMs / 1000;
    const kbps = body.length / 1000 / seconds;
    expect(kbps).toBeGreaterThan(250 * 0.75);
    expect(kbps).toBeLessThan(250 * 1.25);
  });

  it('leaves the other direction alone', async () => {
    const body = payload(200_000);
    const server = await fx.server((s) => s.end(body));
    const proxy = await fx.proxy(server.port);
    proxy.addToxic({ type: 'bandwidth', stream: 'upstream', attributes: { rateKBps: 10 } });
    const r = await within(connectClient(proxy.address.port).done, 5000, 'download');
    expect(r.data.length).toBe(body.length);
    expect(r.closeMs).toBeLessThan(1000);
  });
});
