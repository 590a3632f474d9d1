// Written by hand, not with node:http / undici (the project writes by hand only what no
// good library does, and says why): on the proxy's hot path node:http (server side) and
// undici (upstream pools) cost about half of its CPU per request. Measured back to back on
// the 2-core bench machine (wrk, 50 connections, nginx upstream, same routing, retries,
// statistics and windows): 45-61 µs of CPU per proxied request on node:http + undici (user
// 26-42 µs), 25-27 µs on this codec (user 11-13 µs). bench/RESULTS.md compares with HAProxy.
// The mesh needs only the request line and the raw fields, so it scans them itself, as
// strictly as llhttp does without its lenient flags.
import { parseLength } from './response-head.js';

/** A request head, as scanned. */
export interface RequestHead {
  method: string;
  /** The request target as sent. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor: number;
  /** `[name, value, …]` as sent (names' case kept, values trimmed). */
  headers: string[];
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  /** The client allows another request on the connection after this one. */
  keepAlive: boolean;
  /** `Expect: 100-continue`. */
  expectContinue: boolean;
}

/** Why a head is refused; `reason` is the metric label, `message` goes in the 400's body. */
export interface HeadError {
  reason: 'bad-request' | 'header-overflow' | 'http-version' | 'connect-method' | 'expectation';
  message: string;
}

/** A token character (RFC 9110 §5.6.2), by code. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

function bad(message: string): HeadError {
  return { reason: 'bad-request', message };
}

/**
 * Scans a request head: `head` is its bytes as latin1, from the request line to the last
 * field line, without the final CRLF CRLF. Refused (a {@link HeadError}): anything but
 * `token SP target SP HTTP/1.x` (other versions: `http-version`), a bare CR or LF, control
 * characters, a field name that is not a token or has whitespace before its colon,
 * obs-fold, an HTTP/1.1 request without exactly one Host, a Content-Length that is not
 * digits or appears twice, Transfer-Encoding together with Content-Length, and a
 * Transfer-Encoding whose final coding is not chunked (or that repeats chunked).
 */
export function scanRequestHead(head: string): RequestHead | HeadError {
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = head.length;
  const sp1 = head.indexOf(' ');
  if (sp1 <= 0 || sp1 > lineEnd) return bad('malformed request line');
  for (let i = 0; i < sp1; i++) {
    const c = head.charCodeAt(i);
    if (c > 127 || TCHAR[c] !== 1) return bad('invalid method');
  }
  const sp2 = head.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 > lineEnd || sp2 === sp1 + 1) return bad('malformed request line');
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = head.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return bad('invalid request target');
  }
  if (lineEnd - sp2 !== 9 || !head.startsWith('HTTP/', sp2 + 1) || head.charCodeAt(sp2 + 7) !== 0x2e) {
    return bad('malformed request line');
  }
  const major = head.charCodeAt(sp2 + 6) - 48;
  const minor = head.charCodeAt(sp2 + 8) - 48;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) return bad('malformed request line');
  if (major !== 1 || minor > 1) {
    return { reason: 'http-version', message: 'only HTTP/1.0 and HTTP/1.1 are supported' };
  }
  const method = head.slice(0, sp1);
  if (method === 'CONNECT') return { reason: 'connect-method', message: 'CONNECT is not supported' };
  const headers: string[] = [];
  let contentLength = -1;
  let te: string | undefined;
  let hosts = 0;
  let keepAlive = minor === 1;
  let expectContinue = false;
  let pos = lineEnd + 2;
  const n = head.length;
  while (pos < n) {
    let end = head.indexOf('\r\n', pos);
    if (end < 0) end = n;
    const c0 = head.charCodeAt(pos);
    if (c0 === 0x20 || c0 === 0x09) return bad('obsolete line folding');
    let colon = pos;
    for (; colon < end; colon++) {
      const c = head.charCodeAt(colon);
      if (c === 0x3a) break;
      if (c > 127 || TCHAR[c] !== 1) {
        return bad(c === 0x20 || c === 0x09 ? 'whitespace before colon' : 'invalid header name');
      }
    }
    if (colon === end || colon === pos) return bad('malformed header field');
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (head.charCodeAt(vs) === 0x20 || head.charCodeAt(vs) === 0x09)) vs++;
    while (ve > vs && (head.charCodeAt(ve - 1) === 0x20 || head.charCodeAt(ve - 1) === 0x09)) ve--;
    for (let i = vs; i < ve; i++) {
      const c = head.charCodeAt(i);
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) return bad('invalid header value');
    }
    const name = head.slice(pos, colon);
    const value = head.slice(vs, ve);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') hosts++;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') {
          // As node:http without a checkExpectation listener: only 100-continue is met.
          if (value.toLowerCase() !== '100-continue') {
            return { reason: 'expectation', message: `cannot meet Expect: ${value}` };
          }
          expectContinue = true;
        }
        break;
      case 10:
        if (name.toLowerCase() === 'connection') {
          const v = value.toLowerCase();
          if (hasToken(v, 'close')) keepAlive = false;
          else if (minor === 0 && hasToken(v, 'keep-alive')) keepAlive = true;
        }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (contentLength >= 0) return bad('duplicate Content-Length');
          contentLength = parseLength(value);
          if (contentLength < 0) return bad('invalid Content-Length');
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') te = te === undefined ? value : `${te}, ${value}`;
        break;
    }
    headers.push(name, value);
    pos = end + 2;
  }
  if (minor === 1 && hosts !== 1) return bad(hosts === 0 ? 'missing Host header' : 'more than one Host');
  let chunked = false;
  if (te !== undefined) {
    if (contentLength >= 0) return bad('Transfer-Encoding with Content-Length');
    const codings = te.toLowerCase().split(',');
    for (let i = 0; i < codings.length; i++) {
      const coding = (codings[i] as string).trim();
      if (coding === 'chunked' && i !== codings.length - 1) return bad('chunked is not the final coding');
    }
    if ((codings[codings.length - 1] as string).trim() !== 'chunked') {
      return bad('Transfer-Encoding does not end in chunked');
    }
    chunked = true;
  }
  return {
    method,
    target: head.slice(sp1 + 1, sp2),
    versionMinor: minor,
    headers,
    contentLength,
    chunked,
    keepAlive,
    expectContinue,
  };
}

/** Whether a lower-case comma-separated list holds `token`. */
function hasToken(list: string, token: string): boolean {
  let from = 0;
  for (;;) {
    const i = list.indexOf(token, from);
    if (i < 0) return false;
    const before = i === 0 ? 0x2c : list.charCodeAt(i - 1);
    const after = i + token.length >= list.length ? 0x2c : list.charCodeAt(i + token.length);
    const sepBefore = before === 0x2c || before === 0x20 || before === 0x09;
    const sepAfter = after === 0x2c || after === 0x20 || after === 0x09;
    if (sepBefore && sepAfter) return true;
    from = i + 1;
  }
}
