import { createServer } from 'node:net';

/**
 * Hands out free TCP ports: the kernel picks one (listen on port 0), the listener closes,
 * and the port is remembered so two replicas of one fleet never get the same one. Another
 * program could take the port between the close and the replica's listen; the replica
 * then fails to start and its restart gets a fresh port.
 */
export class PortAllocator {
  private readonly taken = new Set<number>();

  /** A free port on `host`, not handed out before by this allocator (until released). */
  async allocate(host: string): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await freePort(host);
      if (!this.taken.has(port)) {
        this.taken.add(port);
        return port;
      }
    }
    throw new Error(`no free port found on ${host} after 50 attempts`);
  }

  /** Marks a fixed port as used, so it is never handed out. */
  reserve(port: number): void {
    this.taken.add(port);
  }

  release(port: number): void {
    this.taken.delete(port);
  }
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
