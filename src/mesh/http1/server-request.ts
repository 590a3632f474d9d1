// Written by hand, not with node:http / undici (the project writes by hand only what no
// good library does, and says why): on the proxy's hot path node:http (server side) and
// undici (upstream pools) cost about half of its CPU per request. Measured back to back on
// the 2-core bench machine (wrk, 50 connections, nginx upstream, same routing, retries,
// statistics and windows): 45-61 µs of CPU per proxied request on node:http + undici (user
// 26-42 µs), 25-27 µs on this codec (user 11-13 µs). bench/RESULTS.md compares with HAProxy.
// This replaces node:http's IncomingMessage + ServerResponse pair: one plain object per
// request, with no stream machinery unless the body is streamed.
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { LAST_CHUNK, writeChunk } from './chunked-decoder.js';
import type { RequestHead } from './request-head.js';

/** Who answers a request: told when the client goes away or can take more. */
export interface ResponseOwner {
  /** The connection closed before the response ended. */
  clientGone(): void;
  /** The socket drained after a write returned false. */
  drained(): void;
}

/** What a request needs from its connection. */
export interface RequestConnection {
  readonly socket: import('node:net').Socket;
  readonly remoteAddress: string;
  /** The connection will close after this response (draining, or it must). */
  closeAfterResponse(): boolean;
  /**
   * The `keep-alive` header's value for a response that keeps the connection open
   * (`timeout=5`): how long the connection may stay idle, as node:http says it. Clients
   * such as undici close an idle connection before then instead of sending a request
   * into the close (a reset).
   */
  keepAliveHint(): string;
  responseDone(req: ServerRequest, keepAlive: boolean): void;
  resumeBody(): void;
}

enum BodyMode {
  Discard = 0,
  Collect = 1,
  Stream = 2,
}

/**
 * One downstream request and its response. The request side is the scanned head and a
 * body read as the caller asks (dropped, collected whole, or streamed as a Readable with
 * backpressure); the response side writes a head (as one string, together with the body
 * bytes that come in the same tick), then the body as is when there is a Content-Length, chunked for an HTTP/1.1
 * client otherwise, or delimited by closing the connection for an HTTP/1.0 one. The
 * connection is kept alive only when the client asked for it, the response is framed and
 * the listener is not draining; otherwise the response says `connection: close`.
 */
export class ServerRequest {
  readonly method: string;
  readonly url: string;
  readonly versionMinor: number;
  readonly rawHeaders: string[];
  readonly contentLength: number;
  readonly chunked: boolean;
  owner: ResponseOwner | undefined;
  headersSent = false;
  finished = false;
  /** The whole request (head and body) has been received. */
  complete: boolean;
  private readonly keepAliveAsked: boolean;
  private mode = BodyMode.Discard;
  private collected: Buffer[] | undefined;
  private onCollected: ((body: Buffer) => void) | undefined;
  private stream: RequestBody | undefined;
  private chunkedOut = false;
  private noBody = false;
  private keepAlive = false;
  /** The head (and small body pieces) not written yet. */
  private pending: string | undefined;

  constructor(
    readonly conn: RequestConnection,
    head: RequestHead,
  ) {
    this.method = head.method;
    this.url = head.target;
    this.versionMinor = head.versionMinor;
    this.rawHeaders = head.headers;
    this.contentLength = head.contentLength;
    this.chunked = head.chunked;
    this.keepAliveAsked = head.keepAlive;
    this.complete = !head.chunked && head.contentLength <= 0;
  }

  get remoteAddress(): string {
    return this.conn.remoteAddress;
  }

  get destroyed(): boolean {
    return this.conn.socket.destroyed;
  }

  // Request body.

  /** Reads the body whole, then calls `done` with it. */
  collectBody(done: (body: Buffer) => void): void {
    if (this.complete) {
      done(Buffer.alloc(0));
      return;
    }
    this.mode = BodyMode.Collect;
    this.collected = [];
    this.onCollected = done;
  }

  /** The body as a stream (read once). */
  bodyStream(): Readable {
    if (this.stream === undefined) {
      this.stream = new RequestBody(this.conn);
      this.mode = BodyMode.Stream;
      if (this.complete) this.stream.push(null);
    }
    return this.stream;
  }

  /** Body bytes from the connection; false when the stream wants no more for now. */
  bodyData(chunk: Buffer): boolean {
    switch (this.mode) {
      case BodyMode.Collect:
        this.collected?.push(chunk);
        return true;
      case BodyMode.Stream:
        return (this.stream as RequestBody).push(chunk);
      default:
        return true;
    }
  }

  bodyEnd(): void {
    this.complete = true;
    if (this.mode === BodyMode.Collect) {
      const chunks = this.collected as Buffer[];
      this.collected = undefined;
      const done = this.onCollected;
      this.onCollected = undefined;
      done?.(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    } else if (this.mode === BodyMode.Stream) this.stream?.push(null);
  }

  /** The response is over: what is left of the body is read and dropped. */
  discardRest(): void {
    this.mode = BodyMode.Discard;
    this.collected = undefined;
    this.onCollected = undefined;
  }

  /** The client went away or broke the request: the body ends with an error. */
  bodyAbort(err: Error): void {
    if (this.complete) return;
    this.stream?.destroy(err);
  }

  // Response.

  writeHead(status: number, headers: readonly string[]): void {
    if (this.headersSent) return;
    this.headersSent = true;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    let length = false;
    let date = false;
    let close = false;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i] as string;
      const value = headers[i + 1] as string;
      if (name.length === 14) {
        if (name.toLowerCase() === 'content-length') length = true;
      } else if (name.length === 4) {
        if (name.toLowerCase() === 'date') date = true;
      } else if (name.length === 10 && name.toLowerCase() === 'connection') {
        if (value.toLowerCase().includes('close')) close = true;
        else continue;
      }
      head += `${name}: ${value}\r\n`;
    }
    this.noBody = this.method === 'HEAD' || status === 204 || status === 304 || status < 200;
    let framed = true;
    if (!length && !this.noBody) {
      if (this.versionMinor === 1) {
        this.chunkedOut = true;
        head += 'transfer-encoding: chunked\r\n';
      } else framed = false;
    }
    this.keepAlive = this.keepAliveAsked && framed && !close && !this.conn.closeAfterResponse();
    if (!this.keepAlive) {
      if (!close) head += 'connection: close\r\n';
    } else {
      if (this.versionMinor === 0) head += 'connection: keep-alive\r\n';
      head += `keep-alive: ${this.conn.keepAliveHint()}\r\n`;
    }
    if (!date) head += `date: ${httpDate()}\r\n`;
    if (this.conn.socket.destroyed) return;
    // Held until the first body bytes or the end of this tick, so that a small response
    // goes out in one write.
    this.pending = `${head}\r\n`;
    process.nextTick(flushPending, this);
  }

  write(chunk: Buffer): boolean {
    const socket = this.conn.socket;
    if (this.finished || this.noBody || socket.destroyed || chunk.length === 0) return true;
    if (this.pending !== undefined) {
      if (chunk.length <= MAX_COALESCED_BYTES) {
        // latin1 maps bytes to chars one to one: the body goes out unchanged.
        this.pending += this.chunkedOut
          ? `${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`
          : chunk.toString('latin1');
        return true;
      }
      this.flush();
    }
    return this.chunkedOut ? writeChunk(socket, chunk) : socket.write(chunk);
  }

  end(body?: Buffer | string): void {
    if (this.finished) return;
    if (body !== undefined && body.length > 0)
      this.write(typeof body === 'string' ? Buffer.from(body) : body);
    this.finished = true;
    const socket = this.conn.socket;
    if (!socket.destroyed) {
      if (this.pending !== undefined) {
        if (this.chunkedOut) this.pending += '0\r\n\r\n';
        this.flush();
      } else if (this.chunkedOut) socket.write(LAST_CHUNK);
    }
    this.conn.responseDone(this, this.keepAlive);
  }

  /** Writes the held head (and the body bytes held with it). */
  flush(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    if (!this.conn.socket.destroyed) this.conn.socket.write(p, 'latin1');
  }

  destroy(): void {
    this.conn.socket.destroy();
  }

  resetAndDestroy(): void {
    const socket = this.conn.socket;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }
}

function flushPending(req: ServerRequest): void {
  req.flush();
}

/** Body bytes up to this size are written together with the response head. */
const MAX_COALESCED_BYTES = 16 * 1024;

/** A streamed request body: pushes from the connection, reads resume the socket. */
class RequestBody extends Readable {
  constructor(private readonly conn: RequestConnection) {
    super();
    // A broken body is also reported to the request's exchange (the client is gone):
    // a body nobody reads yet must not throw.
    this.on('error', ignore);
  }
  override _read(): void {
    this.conn.resumeBody();
  }
}

function ignore(): void {}

let dateText = '';
let dateSecond = 0;

/** The current time as an HTTP date, recomputed at most once a second. */
function httpDate(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}
