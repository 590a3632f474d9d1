import { isIP } from 'node:net';
import { usageError } from '../core/errors.js';
import { isLoopbackHost } from '../load/target-policy.js';

/** A parsed `host:port` endpoint address (IPv6 in brackets: `[::1]:8080`). */
export interface EndpointAddress {
  host: string;
  port: number;
  /** `http://host:port`, as undici wants it. */
  origin: string;
  /** The canonical `host:port` text, used as the endpoint's id. */
  text: string;
}

export function parseAddress(input: string, what = 'endpoint'): EndpointAddress {
  const m = /^\s*(?:\[([^\]]+)\]|([^:[\]\s]+)):(\d{1,5})\s*$/.exec(input);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !(port > 0 && port < 65536)) {
    throw usageError(
      'E_MESH_ADDRESS',
      `invalid ${what} address "${input}": expected host:port such as 127.0.0.1:8081 or [::1]:8081`,
    );
  }
  const host = (m[1] ?? m[2]) as string;
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  return { host, port, origin: `http://${bracketed}:${port}`, text: `${bracketed}:${port}` };
}

/** Safe by default: endpoints must be loopback unless the mesh allows remote ones. */
export function assertEndpointAllowed(a: EndpointAddress, allowRemote: boolean): void {
  if (allowRemote || isLoopbackHost(a.host)) return;
  throw usageError(
    'E_MESH_REMOTE_ENDPOINT',
    `refusing endpoint ${a.text}: it is not a loopback address`,
    'set mesh.allowRemote: true if the mesh should proxy to other hosts',
  );
}
