import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isShakedownError, ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { AdminMethod, AdminRoute } from './admin-routes.js';

/**
 * Serves admin routes over plain `node:http`: a request handler that any server can call
 * (it answers `false` for paths outside its prefix, so it composes), and a standalone
 * loopback server built on it. Safe by default: loopback clients only (403 otherwise),
 * and every method but GET needs `Authorization: Bearer <token>`, checked before the
 * body is read, so an unauthorized call changes nothing (401). Bodies are JSON (≤ 64 KiB);
 * errors are `{error: {code, message, hint?}}`.
 */
const maxBodyBytes = 64 * 1024;

export interface AdminHandlerOptions {
  routes: readonly AdminRoute[];
  token: string;
  /** Where the routes are mounted; default `/v1/fleet`. */
  prefix?: string;
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createFleetAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const prefix = (options.prefix ?? '/v1/fleet').replace(/\/$/, '');
  const routes = options.routes.map((r) => ({ route: r, segments: split(`${prefix}${r.path}`) }));
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    try {
      if (!isLoopback(req.socket.remoteAddress))
        throw new ShakedownError('E_FORBIDDEN', 'the fleet admin API answers loopback clients only');
      const segs = split(url.pathname);
      const allowed: AdminMethod[] = [];
      let found: { route: AdminRoute; params: Record<string, string> } | undefined;
      for (const { route, segments } of routes) {
        const params = matchSegments(segments, segs);
        if (!params) continue;
        if (route.method === req.method) {
          found = { route, params };
          break;
        }
        allowed.push(route.method);
      }
      if (!found) {
        req.resume();
        if (allowed.length > 0) res.setHeader('allow', allowed.join(', '));
        const code = allowed.length > 0 ? 'E_METHOD' : 'E_NOT_FOUND';
        const message =
          allowed.length > 0
            ? `${req.method} not allowed here; allowed: ${allowed.join(', ')}`
            : `no fleet admin endpoint ${url.pathname}`;
        sendJson(res, allowed.length > 0 ? 405 : 404, { error: { code, message } });
        return true;
      }
      if (found.route.method !== 'GET' && !bearerMatches(req.headers.authorization, options.token)) {
        req.resume();
        res.setHeader('www-authenticate', 'Bearer realm="shakedown-fleet"');
        sendJson(res, 401, {
          error: {
            code: 'E_UNAUTHORIZED',
            message: 'this call changes the fleet and needs Authorization: Bearer <token>',
            hint: 'the token is in the file `shakedown up` printed (mode 0600)',
          },
        });
        return true;
      }
      const body = await readJson(req);
      const reply = await found.route.handle({ params: found.params, query: url.searchParams, body });
      sendJson(res, reply.status ?? 200, reply.json ?? { ok: true });
    } catch (e) {
      sendError(res, e);
    }
    return true;
  };
}

/** A standalone admin server on loopback; `port` 0 picks a free one. */
export async function startFleetAdminServer(
  options: AdminHandlerOptions & { host?: string; port?: number },
): Promise<{ url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host))
    throw new ShakedownError('E_ADMIN_HOST', `the fleet admin API binds loopback only, not ${host}`, {
      exitCode: ExitCode.usage,
    });
  const handle = createFleetAdminHandler(options);
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    handle(req, res)
      .then((handled) => {
        if (!handled)
          sendJson(res, 404, { error: { code: 'E_NOT_FOUND', message: `no endpoint ${req.url}` } });
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new ShakedownError(
          'E_ADMIN_LISTEN',
          `fleet admin API cannot listen on ${host}:${options.port ?? 0}: ${e.code}`,
          {
            exitCode: ExitCode.environment,
            hint: 'choose another --admin-port, or 0 for a free one',
          },
        ),
      ),
    );
    server.listen({ host, port: options.port ?? 0 }, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Constant-time check of an `Authorization: Bearer …` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || token === '') return false;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const a = createHash('sha256')
    .update(m[1] as string)
    .digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return (
    /^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address) || address === 'localhost'
  );
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) {
        reject(
          new ShakedownError('E_BODY_TOO_LARGE', 'request body over 64 KiB', { exitCode: ExitCode.usage }),
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

/** HTTP status for an error from a control call. */
export function statusOf(e: unknown): number {
  if (!isShakedownError(e)) return 500;
  if (e.code === 'E_NOT_FOUND') return 404;
  if (e.code === 'E_FORBIDDEN') return 403;
  if (e.code === 'E_REPLICA_STATE' || e.code === 'E_FLEET_STOPPED') return 409;
  if (e.code === 'E_BODY_TOO_LARGE') return 413;
  if (e.code === 'E_REPLICA_NOT_READY') return 503;
  return e.exitCode === ExitCode.usage ? 400 : 500;
}

function sendError(res: ServerResponse, e: unknown): void {
  const error = isShakedownError(e)
    ? { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }
    : { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };
  if (res.headersSent) res.destroy();
  else sendJson(res, statusOf(e), { error });
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

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const a = actual[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(a);
      } catch {
        return undefined;
      }
    } else if (p !== a) return undefined;
  }
  return params;
}
