// Written by hand, not with node:http / undici (the project writes by hand only what no
// good library does, and says why): on the proxy's hot path node:http (server side) and
// undici (upstream pools) cost about half of its CPU per request. Measured back to back on
// the 2-core bench machine (wrk, 50 connections, nginx upstream, same routing, retries,
// statistics and windows): 45-61 µs of CPU per proxied request on node:http + undici (user
// 26-42 µs), 25-27 µs on this codec (user 11-13 µs). bench/RESULTS.md compares with HAProxy.
// Upstream response heads are parsed straight into the flat string lists the mesh's
// header rewrite works on.

/** How an upstream response's body is delimited. */
export enum BodyFraming {
  None = 0,
  Length = 1,
  Chunked = 2,
  /** Until the upstream closes the connection. */
  Close = 3,
}

export interface ResponseHead {
  status: number;
  statusText: string;
  /** `[name, value, …]`, names lower-cased. */
  headers: string[];
  framing: BodyFraming;
  /** For {@link BodyFraming.Length}. */
  contentLength: number;
  /** The connection can carry another request after this response. */
  keepAlive: boolean;
}

/**
 * Parses a response head (`HTTP/1.x NNN text\r\n` + fields + CRLF CRLF, given without the
 * final empty line) for a request of `method`. Returns a string describing the problem
 * when the head is malformed or its framing ambiguous (two different Content-Lengths, a
 * Transfer-Encoding that does not end in chunked), which the caller treats as an upstream
 * error and never forwards.
 */
export function parseResponseHead(head: string, method: string): ResponseHead | string {
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = head.length;
  // "HTTP/1.1 200 OK"
  if (lineEnd < 12 || !head.startsWith('HTTP/1.') || (lineEnd > 12 && head.charCodeAt(12) !== 32)) {
    return 'malformed status line';
  }
  const minor = head.charCodeAt(7) - 48;
  if ((minor !== 0 && minor !== 1) || head.charCodeAt(8) !== 32) return 'malformed status line';
  const s0 = head.charCodeAt(9) - 48;
  const s1 = head.charCodeAt(10) - 48;
  const s2 = head.charCodeAt(11) - 48;
  if (s0 < 1 || s0 > 5 || s1 < 0 || s1 > 9 || s2 < 0 || s2 > 9) return 'malformed status code';
  const status = s0 * 100 + s1 * 10 + s2;
  const statusText = lineEnd > 13 ? head.slice(13, lineEnd) : '';
  const headers: string[] = [];
  let contentLength = -1;
  let chunked = false;
  let hasTe = false;
  let connClose = minor === 0;
  let pos = lineEnd + 2;
  while (pos < head.length) {
    let end = head.indexOf('\r\n', pos);
    if (end < 0) end = head.length;
    const colon = head.indexOf(':', pos);
    if (colon <= pos || colon > end) return 'malformed header field';
    const c0 = head.charCodeAt(pos);
    if (c0 === 32 || c0 === 9) return 'obsolete line folding';
    const name = head.slice(pos, colon).toLowerCase();
    if (name.charCodeAt(name.length - 1) === 32 || name.charCodeAt(name.length - 1) === 9) {
      return 'whitespace before colon';
    }
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (head.charCodeAt(vs) === 32 || head.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (head.charCodeAt(ve - 1) === 32 || head.charCodeAt(ve - 1) === 9)) ve--;
    for (let i = vs; i < ve; i++) {
      const c = head.charCodeAt(i);
      // A CR or LF in a value would split the response written downstream.
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) return 'invalid header value';
    }
    const value = head.slice(vs, ve);
    if (name.length === 14 && name === 'content-length') {
      const n = parseLength(value);
      if (n < 0) return 'invalid Content-Length';
      if (contentLength >= 0 && contentLength !== n) return 'conflicting Content-Length';
      contentLength = n;
    } else if (name.length === 17 && name === 'transfer-encoding') {
      hasTe = true;
      chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
    } else if (name.length === 10 && name === 'connection') {
      const v = value.toLowerCase();
      if (v.includes('close')) connClose = true;
      else if (minor === 0 && v.includes('keep-alive')) connClose = false;
    }
    headers.push(name, value);
    pos = end + 2;
  }
  let framing: BodyFraming;
  if (method === 'HEAD' || status === 204 || status === 304 || status < 200) framing = BodyFraming.None;
  else if (hasTe) {
    framing = chunked ? BodyFraming.Chunked : BodyFraming.Close;
    // A message with both is a smuggling attempt or a broken server: never reused.
    if (contentLength >= 0 || !chunked) connClose = true;
  } else if (contentLength >= 0) framing = BodyFraming.Length;
  else {
    framing = BodyFraming.Close;
    connClose = true;
  }
  return {
    status,
    statusText,
    headers,
    framing,
    contentLength,
    keepAlive: !connClose,
  };
}

/** A Content-Length value: digits only; -1 when invalid. */
export function parseLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
