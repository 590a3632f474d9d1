import { randomUUID } from 'node:crypto';

/**
 * Header handling on the proxy's hot path, over flat raw header lists (`[name, value, …]`,
 * as the mesh's HTTP/1.1 codec gives and takes them), so no header object is built per request.
 * Hop-by-hop headers (RFC 9110 §7.6.1: Connection and every header it names, Keep-Alive,
 * Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade) are dropped in both directions;
 * `Expect` is answered by the proxy itself. `x-forwarded-for` gets the client appended,
 * `x-forwarded-proto` is set, `x-request-id` is generated when absent, and everything else
 * (`traceparent`, `tracestate`, `host`, …) passes through unchanged.
 */

/** Case-insensitive comparison with a lower-case name, without allocating. */
export function nameIs(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** The first value of a header in a raw list, by lower-case name. */
export function findHeader(raw: readonly string[], lower: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (nameIs(raw[i] as string, lower)) return raw[i + 1];
  }
  return undefined;
}

/** The value of one cookie in the `cookie` headers of a raw list. */
export function findCookie(raw: readonly string[], cookie: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!nameIs(raw[i] as string, 'cookie')) continue;
    const v = raw[i + 1] as string;
    let pos = 0;
    while (pos < v.length) {
      while (v.charCodeAt(pos) === 32 || v.charCodeAt(pos) === 59) pos++;
      const eq = v.indexOf('=', pos);
      if (eq < 0) break;
      let end = v.indexOf(';', eq);
      if (end < 0) end = v.length;
      if (eq - pos === cookie.length && v.startsWith(cookie, pos)) return v.slice(eq + 1, end).trim();
      pos = end + 1;
    }
  }
  return undefined;
}

/** What the request rewrite learned about the request. */
export interface RequestFacts {
  /** -1 when absent. */
  contentLength: number;
  /** Transfer-Encoding was present (a chunked body). */
  chunked: boolean;
  requestId: string;
}

const CONNECTION_OPTIONS_SIMPLE = /^\s*(?:close|keep-alive)?\s*(?:,\s*(?:close|keep-alive)\s*)*$/i;

/**
 * The header list sent upstream for a downstream request's raw headers. Fills `facts`.
 * `clientAddress` is appended to `x-forwarded-for`.
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  clientAddress: string,
  facts: RequestFacts,
): string[] {
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let requestId: string | undefined;
  let connectionValue: string | undefined;
  facts.contentLength = -1;
  facts.chunked = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    switch (name.length) {
      case 2:
        if (nameIs(name, 'te')) continue;
        break;
      case 6:
        if (nameIs(name, 'expect')) continue;
        break;
      case 7:
        if (nameIs(name, 'trailer') || nameIs(name, 'upgrade')) continue;
        break;
      case 10:
        if (nameIs(name, 'connection')) {
          connectionValue = connectionValue === undefined ? value : `${connectionValue}, ${value}`;
          continue;
        }
        if (nameIs(name, 'keep-alive')) continue;
        break;
      case 12:
        if (nameIs(name, 'x-request-id')) {
          if (requestId === undefined) requestId = value;
          else continue;
        }
        break;
      case 14:
        if (nameIs(name, 'content-length')) facts.contentLength = Number(value);
        else if (nameIs(name, 'http2-settings')) continue;
        break;
      case 15:
        if (nameIs(name, 'x-forwarded-for')) {
          forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
          continue;
        }
        break;
      case 16:
        if (nameIs(name, 'proxy-connection')) continue;
        break;
      case 17:
        if (nameIs(name, 'transfer-encoding')) {
          facts.chunked = true;
          continue;
        }
        if (nameIs(name, 'x-forwarded-proto')) continue;
        break;
    }
    out.push(name, value);
  }
  out.push(
    'x-forwarded-for',
    forwardedFor === undefined ? clientAddress : `${forwardedFor}, ${clientAddress}`,
  );
  out.push('x-forwarded-proto', 'http');
  if (requestId === undefined) {
    requestId = randomUUID();
    out.push('x-request-id', requestId);
  }
  facts.requestId = requestId;
  if (connectionValue !== undefined && !CONNECTION_OPTIONS_SIMPLE.test(connectionValue)) {
    return dropNamed(out, connectionValue);
  }
  return out;
}

/** Removes the headers a Connection header names (rare: only custom hop-by-hop headers). */
function dropNamed(list: string[], connectionValue: string): string[] {
  const named = new Set(
    connectionValue
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t && t !== 'close' && t !== 'keep-alive'),
  );
  const out: string[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = list[i] as string;
    if (named.has(name.toLowerCase()) && name !== 'x-forwarded-for' && name !== 'x-request-id') continue;
    out.push(name, list[i + 1] as string);
  }
  return out;
}

const hopByHopResponse = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * The header list sent downstream for an upstream response's raw headers. Names come back
 * lower-cased. `extra` pairs are appended (e.g. `connection: close` while draining).
 */
export function downstreamResponseHeaders(raw: readonly string[], extra?: readonly string[]): string[] {
  const out: string[] = [];
  let connectionValue: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (hopByHopResponse.has(name)) {
      if (name === 'connection') connectionValue = raw[i + 1] as string;
      continue;
    }
    out.push(name, raw[i + 1] as string);
  }
  if (extra) for (const e of extra) out.push(e);
  if (connectionValue !== undefined && !CONNECTION_OPTIONS_SIMPLE.test(connectionValue)) {
    return dropNamed(out, connectionValue);
  }
  return out;
}
