import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on a free loopback port, for tests. */
export interface TestServer {
  url: string;
  port: number;
  server: Server;
  requests: number;
  close(): Promise<void>;
}

export async function startTestServer(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_req, res) => res.end('ok'),
): Promise<TestServer> {
  const state = { requests: 0 };
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    state.requests++;
    handler(req, res, state.requests);
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
