import type { Socket } from 'node:net';
import { afterEach } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import { TcpProxy } from '../../src/mesh/tcp/proxy.js';
import type { TcpProxyOptions } from '../../src/mesh/tcp/proxy-options.js';
import { startTcpServer, type TestTcpServer } from './tcp-peers.js';

/**
 * Servers and proxies for TCP proxy tests, all closed after each test. Call once at the top
 * of a test file.
 */
export function useTcpFixture() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    /** A server; echoes by default. */
    async server(onSocket?: (socket: Socket, index: number) => void): Promise<TestTcpServer> {
      const s = await startTcpServer(onSocket);
      cleanups.push(() => s.close());
      return s;
    },
    /** A proxy to `port` with a seeded random and a short close grace. */
    async proxy(port: number, options: Partial<TcpProxyOptions> = {}): Promise<TcpProxy> {
      const p = await TcpProxy.start({
        name: 'test',
        upstream: port,
        random: createRandom(11),
        closeGraceMs: 200,
        ...options,
      });
      cleanups.push(() => p.close());
      return p;
    },
  };
}

/** Waits until `check()` is true, polling every few ms, failing after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
