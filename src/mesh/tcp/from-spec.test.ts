import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, startTcpServer, within } from '../../../test/helpers/tcp-peers.js';
import { startTcpListeners } from './from-spec.js';
import type { TcpProxy } from './proxy.js';
import { tcpListenerSchema } from './schema.js';

const open: TcpProxy[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});

describe('startTcpListeners', () => {
  it('starts listeners from validated specs with their toxics and leases', async () => {
    const server = await startTcpServer((s) => s.end('hello'));
    try {
      const specs = [
        tcpListenerSchema.parse({
          name: 'pg',
          upstream: server.port,
          toxics: [
            { type: 'limit_data', attributes: { bytes: 2 } },
            { type: 'latency', stream: 'upstream', ttl: '5s', attributes: { latencyMs: 1 } },
          ],
        }),
        tcpListenerSchema.parse({ name: 'down', upstream: server.port, enabled: false }),
      ];
      const proxies = await startTcpListeners(specs);
      open.push(...proxies);
      const [pg, down] = proxies as [TcpProxy, TcpProxy];
      expect(pg.toxics().map((t) => [t.name, t.expiresAtMs !== undefined])).toEqual([
        ['limit_data_downstream', false],
        ['latency_upstream', true],
      ]);
      expect(down.enabled).toBe(false);
      const r = await within(connectClient(pg.address.port).done, 3000, 'through pg');
      expect(r.data.toString()).toBe('he');
    } finally {
      await server.close();
    }
  });

  it('closes the listeners it started when a later one cannot listen', async () => {
    const server = await startTcpServer();
    try {
      const free = await startTcpServer();
      const port = free.port;
      await free.close();
      const first = tcpListenerSchema.parse({ name: 'a', upstream: server.port, listen: port });
      const clash = tcpListenerSchema.parse({ name: 'b', upstream: server.port, listen: server.port });
      await expect(startTcpListeners([first, clash])).rejects.toMatchObject({ code: 'E_TCP_LISTEN' });
      // The first listener's port is free again: it was closed.
      const again = await startTcpListeners([first]);
      open.push(...again);
      expect(again[0]?.address.port).toBe(port);
    } finally {
      await server.close();
    }
  });
});
