import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A real TCP server on a free loopback port, for tests. */
export interface TestTcpServer {
  port: number;
  server: Server;
  /** Sockets the server accepted, in order. */
  sockets: Socket[];
  /** Bytes each accepted connection received, by index. */
  received: Buffer[][];
  close(): Promise<void>;
}

/**
 * Starts a TCP server. `onSocket` decides what it does with each connection; the default
 * echoes (and half-closes back when the client half-closes).
 */
export async function startTcpServer(
  onSocket: (socket: Socket, index: number) => void = (s) => s.pipe(s),
): Promise<TestTcpServer> {
  const sockets: Socket[] = [];
  const received: Buffer[][] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const index = sockets.length;
    sockets.push(socket);
    received.push([]);
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => received[index]?.push(d));
    onSocket(socket, index);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    server,
    sockets,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What a client saw on one connection. */
export interface ClientResult {
  data: Buffer;
  /** How many `data` events (reads) it took. */
  reads: number;
  /** The error code if the connection failed (`ECONNRESET`, `ECONNREFUSED`), else undefined. */
  errorCode: string | undefined;
  /** Whether the server's FIN arrived (`end`). */
  ended: boolean;
  /** Monotonic ms from connect to the first byte, and to the close. */
  firstByteMs: number | undefined;
  closeMs: number;
}

/** A client connection whose results are collected until it closes. */
export interface TestClient {
  socket: Socket;
  /** Resolves when the socket closes. */
  done: Promise<ClientResult>;
  /** Bytes received so far. */
  receivedBytes(): number;
  /** Resolves when at least `n` bytes have arrived (or the socket closed). */
  waitForBytes(n: number): Promise<void>;
}

/** Connects to `port` on loopback and records everything that comes back. */
export function connectClient(port: number, options: { allowHalfOpen?: boolean } = {}): TestClient {
  const start = performance.now();
  const socket = tcpConnect({ host: '127.0.0.1', port, allowHalfOpen: options.allowHalfOpen ?? false });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let size = 0;
  let reads = 0;
  let firstByteMs: number | undefined;
  let errorCode: string | undefined;
  let ended = false;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const wake = (all: boolean) => {
    for (const w of waiters.splice(0)) {
      if (all || size >= w.n) w.resolve();
      else waiters.push(w);
    }
  };
  socket.on('data', (d: Buffer) => {
    if (firstByteMs === undefined) firstByteMs = performance.now() - start;
    chunks.push(d);
    size += d.length;
    reads++;
    wake(false);
  });
  socket.on('end', () => {
    ended = true;
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    errorCode = e.code ?? e.message;
  });
  const done = new Promise<ClientResult>((resolve) => {
    socket.on('close', () => {
      wake(true);
      resolve({
        data: Buffer.concat(chunks),
        reads,
        errorCode,
        ended,
        firstByteMs,
        closeMs: performance.now() - start,
      });
    });
  });
  return {
    socket,
    done,
    receivedBytes: () => size,
    waitForBytes: (n) =>
      size >= n || socket.destroyed
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ n, resolve })),
  };
}

/** Resolves once the client socket is connected. */
export function connected(client: TestClient): Promise<void> {
  if (!client.socket.connecting) return Promise.resolve();
  return new Promise((resolve, reject) => {
    client.socket.once('connect', () => resolve());
    client.socket.once('error', reject);
  });
}

/** Deterministic pseudo-random bytes (a test payload that cannot pass by accident). */
export function payload(size: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    b[i] = s & 0xff;
  }
  return b;
}

/** Rejects if `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
