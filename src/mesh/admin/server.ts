import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isShakedownError, ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Logger } from '../../core/logger.js';
import type { AdminRouter } from './router.js';
import { bearerMatches } from './token.js';

const maxBodyBytes = 1024 * 1024;

/**
 * The admin listener: JSON over HTTP, on 127.0.0.1 unless configured otherwise. Reads
 * (GET) are open to whoever can reach it; every change needs `Authorization: Bearer
 * <token>`, and without it the answer is 401 before the body is even read, so nothing is
 * changed. Errors come back as `{error: {code, message, hint}}` with a fitting status.
 */
export class AdminServer {
  private readonly server: Server;
  private address: AddressInfo | undefined;

  constructor(
    private readonly router: AdminRouter,
    private readonly token: string,
    private readonly host: string,
    private readonly port: number,
    private readonly logger: Logger,
  ) {
    this.server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
      this.onRequest(req, res).catch((e) => {
        this.logger.error('admin request failed', { error: String(e) });
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'E_INTERNAL', message: String(e) } });
        else res.destroy();
      });
    });
  }

  get url(): string {
    const a = this.address;
    if (!a) return '';
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) =>
        reject(
          new ShakedownError(
            'E_MESH_LISTEN',
            `admin API cannot listen on ${this.host}:${this.port}: ${e.code ?? e.message}`,
            { exitCode: ExitCode.environment, hint: 'choose another admin port, or 0 for a free one' },
          ),
        );
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.port }, () => {
        this.server.off('error', onError);
        this.address = this.server.address() as AddressInfo;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const m = this.router.match(req.method ?? 'GET', url.pathname);
    if (m === undefined) {
      req.resume();
      sendJson(res, 404, { error: { code: 'E_NOT_FOUND', message: `no admin endpoint ${url.pathname}` } });
      return;
    }
    if ('allowed' in m) {
      req.resume();
      res.setHeader('allow', m.allowed.join(', '));
      sendJson(res, 405, {
        error: {
          code: 'E_METHOD',
          message: `${req.method} not allowed here; allowed: ${m.allowed.join(', ')}`,
        },
      });
      return;
    }
    if (m.route.method !== 'GET' && !bearerMatches(req.headers.authorization, this.token)) {
      req.resume();
      res.setHeader('www-authenticate', 'Bearer realm="shakedown-mesh"');
      sendJson(res, 401, {
        error: {
          code: 'E_UNAUTHORIZED',
          message: 'this call changes the mesh and needs Authorization: Bearer <token>',
          hint: 'the token is in the file `shakedown mesh` printed (mode 0600)',
        },
      });
      return;
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (e) {
      sendError(res, e);
      return;
    }
    try {
      const reply = await m.route.handle({ params: m.params, query: url.searchParams, body });
      if (reply.text !== undefined) {
        res.writeHead(reply.status ?? 200, {
          'content-type': reply.contentType ?? 'text/plain; charset=utf-8',
          'content-length': Buffer.byteLength(reply.text),
        });
        res.end(reply.text);
      } else sendJson(res, reply.status ?? 200, reply.json ?? { ok: true });
    } catch (e) {
      sendError(res, e);
    }
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) {
        reject(
          new ShakedownError('E_BODY_TOO_LARGE', 'request body over 1 MiB', { exitCode: ExitCode.usage }),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(
          new ShakedownError('E_BAD_JSON', `request body is not JSON: ${(e as Error).message}`, {
            exitCode: ExitCode.usage,
          }),
        );
      }
    });
    req.on('error', reject);
  });
}

/** HTTP status for an error raised by a control call. */
export function statusOf(e: unknown): number {
  if (!isShakedownError(e)) return 500;
  if (/UNKNOWN|NOT_FOUND/.test(e.code)) return 404;
  if (e.code === 'E_FORBIDDEN') return 403;
  // Wrong state for the call: already there, draining, a replica that is not running.
  if (/EXISTS|DRAINING|_STATE$|_STOPPED$/.test(e.code)) return 409;
  if (e.code === 'E_BODY_TOO_LARGE') return 413;
  if (/NOT_READY/.test(e.code)) return 503;
  return e.exitCode === ExitCode.usage ? 400 : 500;
}

function sendError(res: ServerResponse, e: unknown): void {
  const status = statusOf(e);
  const error = isShakedownError(e)
    ? { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }
    : { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };
  sendJson(res, status, { error });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = `${JSON.stringify(value)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
