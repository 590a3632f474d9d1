import { isIP } from 'node:net';
import { usageError } from '../../core/errors.js';
import { isLoopbackHost } from '../../load/target-policy.js';

/** A TCP address. */
export interface HostPort {
  host: string;
  port: number;
}

const hostPortRe = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/;

/**
 * Parses `"127.0.0.1:5432"`, `"localhost:5432"`, `"[::1]:5432"`, `":5432"` (the default
 * host) or a bare port number. Port 0 is allowed only when `allowPortZero` (a listener
 * asking for a free port).
 */
export function parseHostPort(
  input: string | number | HostPort,
  options: { defaultHost?: string; allowPortZero?: boolean; what?: string } = {},
): HostPort {
  const what = options.what ?? 'address';
  const defaultHost = options.defaultHost ?? '127.0.0.1';
  let host: string;
  let port: number;
  if (typeof input === 'number') {
    host = defaultHost;
    port = input;
  } else if (typeof input === 'object') {
    host = input.host;
    port = input.port;
  } else {
    const m = hostPortRe.exec(input.trim());
    if (!m) throw badAddress(what, String(input));
    host = m[1] ?? (m[2] || defaultHost);
    port = Number(m[3]);
  }
  const minPort = options.allowPortZero ? 0 : 1;
  if (!Number.isInteger(port) || port < minPort || port > 65535 || host.length === 0) {
    throw badAddress(what, typeof input === 'object' ? `${input.host}:${input.port}` : String(input));
  }
  return { host, port };
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatHostPort(a: HostPort): string {
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function badAddress(what: string, input: string) {
  return usageError(
    'E_TCP_ADDRESS',
    `invalid ${what} "${input}": expected host:port such as "127.0.0.1:5432", "[::1]:5432" or ":5432"`,
  );
}

/**
 * Safe by default: a listener binds and proxies to loopback (127.0.0.0/8, ::1, localhost)
 * unless `allowRemote`, so a typo cannot inject faults into somebody else's database.
 */
export function assertLoopbackAllowed(
  a: HostPort,
  allowRemote: boolean,
  listener: string,
  verb: string,
): void {
  if (allowRemote || isLoopbackHost(a.host)) return;
  throw usageError(
    'E_TCP_REMOTE',
    `tcp listener ${listener}: refusing to ${verb} ${formatHostPort(a)}: it is not a loopback address`,
    'set allowRemote: true on the listener if you mean it',
  );
}
