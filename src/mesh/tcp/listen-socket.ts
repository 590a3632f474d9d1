import { createServer, type Server, type Socket } from 'node:net';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { formatHostPort, type HostPort } from './host-port.js';

/**
 * Binds a TCP server for a listener. Sockets are accepted paused (nothing is read before
 * the upstream answers) and half-open (a client's FIN does not close our side). A bind
 * failure is an environment error naming the address; EADDRINUSE gets a hint.
 */
export async function bindTcpServer(
  name: string,
  address: HostPort,
  onConnection: (socket: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address.host, port: address.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ShakedownError(
      'E_TCP_LISTEN',
      `tcp listener ${name} cannot listen on ${formatHostPort(address)}: ${e.code ?? e.message}`,
      {
        exitCode: ExitCode.environment,
        hint: e.code === 'EADDRINUSE' ? 'pick another port, or 0 for a free one' : undefined,
        cause: e,
      },
    );
  }
  // After a successful bind, errors belong to single connections and are handled there.
  server.on('error', () => {});
  const bound = server.address();
  return { server, port: bound && typeof bound === 'object' ? bound.port : address.port };
}

/** Stops accepting; resolves when the server has closed (after its connections). */
export function closeTcpServer(server: Server | undefined): Promise<void> {
  return server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
}
