// Written by hand, not with node:http / undici (the project writes by hand only what no
// good library does, and says why): on the proxy's hot path node:http (server side) and
// undici (upstream pools) cost about half of its CPU per request. Measured back to back on
// the 2-core bench machine (wrk, 50 connections, nginx upstream, same routing, retries,
// statistics and windows): 45-61 µs of CPU per proxied request on node:http + undici (user
// 26-42 µs), 25-27 µs on this codec (user 11-13 µs). bench/RESULTS.md compares with HAProxy.
// The mesh needs little of undici's client: one request per connection at a time, to one
// origin, with its own timeouts.
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ChunkedDecoder, type ChunkSink, LAST_CHUNK, writeChunk } from './chunked-decoder.js';
import { BodyFraming, parseResponseHead } from './response-head.js';

/** The attempt a connection carries: undici's raw handler shape, with string headers. */
export interface UpstreamHandler {
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(status: number, headers: string[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
}

export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  /** `[name, value, …]`, already rewritten for the upstream (no hop-by-hop fields). */
  readonly headers: readonly string[];
  readonly body: Buffer | Readable | null;
}

/** What a connection needs from its pool. */
export interface ConnectionOwner {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  /** The connection can take another request (it is connected and idle). */
  released(conn: UpstreamConnection): void;
  /** The connection is gone. */
  closed(conn: UpstreamConnection): void;
}

/** Bigger response heads are refused (upstream error). */
const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** A transport error with the code the mesh classifies (connect / reset / other). */
export class UpstreamSocketError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One request to the upstream and its handler, from dispatch to its end. */
export class UpstreamCall {
  done = false;
  conn: UpstreamConnection | undefined;
  constructor(
    readonly req: UpstreamRequest,
    readonly handler: UpstreamHandler,
  ) {}

  readonly abort = (err?: Error): void => {
    if (this.done) return;
    this.done = true;
    const conn = this.conn;
    this.conn = undefined;
    conn?.abandon(this);
    this.handler.onError(err ?? new UpstreamSocketError('UND_ERR_ABORTED', 'request aborted'));
  };

  readonly resume = (): void => {
    if (!this.done) this.conn?.socket.resume();
  };

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.conn = undefined;
    this.handler.onError(err);
  }
}

enum Phase {
  Connecting = 0,
  Idle = 1,
  Head = 2,
  Body = 3,
  Closed = 4,
}

/**
 * One keep-alive HTTP/1.1 connection to an upstream endpoint, one request at a time. It
 * writes the request head in one write (the body, when a buffer, in the same corked
 * batch, a stream chunked or as is with backpressure), parses the response head, frames
 * the body (Content-Length, chunked, until close, none for HEAD / 204 / 304) and hands it
 * to the call's handler, pausing the socket while the handler says so. It goes back to
 * its pool only when the response ended cleanly and both sides allow keep-alive.
 */
export class UpstreamConnection implements ChunkSink {
  readonly socket: Socket;
  private phase = Phase.Connecting;
  call: UpstreamCall | undefined;
  private pendingCall: UpstreamCall | undefined;
  private head: Buffer | undefined;
  private framing = BodyFraming.None;
  private remaining = 0;
  private keepAlive = false;
  private bodyPending = false;
  private readonly decoder = new ChunkedDecoder();
  private connectTimer: NodeJS.Timeout | undefined;
  idleSinceMs = 0;

  constructor(
    private readonly owner: ConnectionOwner,
    first: UpstreamCall,
  ) {
    this.pendingCall = first;
    // Reads land in one buffer shared by every upstream socket (no allocation and no
    // stream machinery per read); what outlives the callback is copied.
    const socket = connect({
      host: owner.host,
      port: owner.port,
      noDelay: true,
      onread: { buffer: readBuffer, callback: onSocketRead },
    });
    this.socket = socket;
    socket.on('connect', onSocketConnect);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    (socket as SocketWithConn)[kConn] = this;
    if (owner.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(onConnectTimeout, owner.connectTimeoutMs, this);
    }
  }

  get idle(): boolean {
    return this.phase === Phase.Idle;
  }

  get connected(): boolean {
    return this.phase !== Phase.Connecting && this.phase !== Phase.Closed;
  }

  onConnected(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.phase = Phase.Idle;
    const call = this.pendingCall;
    this.pendingCall = undefined;
    if (call === undefined || call.done) this.owner.released(this);
    else this.start(call);
  }

  /** Sends `call` on this (idle, connected) connection. */
  start(call: UpstreamCall): void {
    this.phase = Phase.Head;
    this.call = call;
    call.conn = this;
    this.head = undefined;
    this.bodyPending = false;
    call.handler.onConnect(call.abort);
    if (call.done) return;
    const req = call.req;
    const body = req.body;
    const socket = this.socket;
    if (body === null || Buffer.isBuffer(body)) {
      const head = requestHead(req, false);
      if (body === null || body.length === 0) socket.write(head, 'latin1');
      else {
        socket.cork();
        socket.write(head, 'latin1');
        socket.write(body);
        socket.uncork();
      }
      return;
    }
    const chunked = !hasContentLength(req.headers);
    socket.write(requestHead(req, chunked), 'latin1');
    this.bodyPending = true;
    pipeBody(this, call, body, chunked);
  }

  /** The request body (a stream) has been written in full. */
  bodySent(call: UpstreamCall): void {
    if (this.call === call || this.phase === Phase.Idle) this.bodyPending = false;
  }

  /** The call ended early (aborted): the connection cannot be trusted any more. */
  abandon(call: UpstreamCall): void {
    if (this.pendingCall === call) {
      this.pendingCall = undefined;
      return;
    }
    if (this.call !== call) return;
    this.call = undefined;
    this.destroy();
  }

  destroy(): void {
    if (this.phase === Phase.Closed) return;
    this.socket.destroy();
  }

  onSocketData(buf: Buffer): void {
    const call = this.call;
    if (call === undefined || (this.phase !== Phase.Head && this.phase !== Phase.Body)) {
      // Bytes nobody asked for: the connection is out of step.
      this.destroy();
      return;
    }
    let data = buf;
    let off = 0;
    if (this.phase === Phase.Head) {
      if (this.head !== undefined) {
        data = Buffer.concat([this.head, buf]);
        this.head = undefined;
      }
      for (;;) {
        const end = data.indexOf(HEAD_END, off);
        if (end < 0) {
          if (data.length - off > MAX_RESPONSE_HEAD_BYTES) {
            this.fail(call, 'E_UPSTREAM_HEAD', 'response head too large');
            return;
          }
          this.head = Buffer.from(off === 0 ? data : data.subarray(off));
          return;
        }
        const parsed = parseResponseHead(data.toString('latin1', off, end), call.req.method);
        off = end + 4;
        if (typeof parsed === 'string') {
          this.fail(call, 'E_UPSTREAM_PROTOCOL', parsed);
          return;
        }
        if (parsed.status < 200) {
          if (parsed.status === 101) {
            this.fail(call, 'E_UPSTREAM_PROTOCOL', 'unexpected protocol switch');
            return;
          }
          continue;
        }
        this.keepAlive = parsed.keepAlive;
        this.framing = parsed.framing;
        this.remaining = parsed.contentLength;
        this.phase = Phase.Body;
        if (this.framing === BodyFraming.Chunked) this.decoder.reset();
        const goOn = call.handler.onHeaders(parsed.status, parsed.headers, call.resume, parsed.statusText);
        if (call.done) return;
        if (!goOn) this.socket.pause();
        break;
      }
    }
    this.body(call, data, off);
  }

  private body(call: UpstreamCall, data: Buffer, off: number): void {
    const len = data.length;
    switch (this.framing) {
      case BodyFraming.None:
        if (off < len) this.keepAlive = false;
        this.complete(call);
        return;
      case BodyFraming.Length: {
        const n = Math.min(this.remaining, len - off);
        this.remaining -= n;
        if (n > 0 && !call.handler.onData(Buffer.from(data.subarray(off, off + n)))) {
          this.socket.pause();
        }
        if (call.done) return;
        if (this.remaining === 0) {
          if (off + n < len) this.keepAlive = false;
          this.complete(call);
        }
        return;
      }
      case BodyFraming.Chunked: {
        if (off >= len) return;
        const used = this.decoder.push(data, off, len, this);
        if (call.done) return;
        if (used < 0) {
          this.keepAlive = false;
          this.fail(call, 'E_UPSTREAM_PROTOCOL', 'malformed chunked body');
          return;
        }
        if (this.decoder.done) {
          if (off + used < len) this.keepAlive = false;
          this.complete(call);
        }
        return;
      }
      case BodyFraming.Close:
        if (off < len && !call.handler.onData(Buffer.from(data.subarray(off)))) this.socket.pause();
        return;
    }
  }

  /** A decoded chunk of a chunked response. */
  onBodyData(chunk: Buffer): void {
    const call = this.call;
    if (call === undefined || call.done) return;
    if (!call.handler.onData(Buffer.from(chunk))) this.socket.pause();
  }

  onSocketEnd(): void {
    const call = this.call;
    if (call !== undefined && this.phase === Phase.Body && this.framing === BodyFraming.Close) {
      this.keepAlive = false;
      this.complete(call);
    }
  }

  onSocketError(err: NodeJS.ErrnoException): void {
    const connecting = this.phase === Phase.Connecting;
    this.closeWith(connecting, err.code ?? 'UND_ERR_SOCKET', err.message);
  }

  onSocketClose(): void {
    this.closeWith(this.phase === Phase.Connecting, 'UND_ERR_SOCKET', 'other side closed');
  }

  onConnectTimeout(): void {
    this.connectTimer = undefined;
    if (this.phase !== Phase.Connecting) return;
    this.closeWith(true, 'UND_ERR_CONNECT_TIMEOUT', 'connect timeout');
    this.socket.destroy();
  }

  private closeWith(connecting: boolean, code: string, message: string): void {
    if (this.phase === Phase.Closed) return;
    this.phase = Phase.Closed;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    const call = connecting ? this.pendingCall : this.call;
    this.pendingCall = undefined;
    this.call = undefined;
    this.socket.destroy();
    this.owner.closed(this);
    call?.fail(new UpstreamSocketError(code, connecting ? `connect: ${message}` : message));
  }

  private fail(call: UpstreamCall, code: string, message: string): void {
    this.call = undefined;
    this.destroy();
    call.fail(new UpstreamSocketError(code, message));
  }

  private complete(call: UpstreamCall): void {
    this.call = undefined;
    call.done = true;
    call.conn = undefined;
    const reuse = this.keepAlive && !this.bodyPending && this.phase !== Phase.Closed;
    if (reuse) {
      this.phase = Phase.Idle;
      this.socket.resume();
    } else this.destroy();
    call.handler.onComplete(null);
    if (reuse && this.phase === Phase.Idle && this.call === undefined) this.owner.released(this);
  }
}

const kConn = Symbol('shakedown.upstreamConnection');
type SocketWithConn = Socket & { [kConn]: UpstreamConnection };

function onSocketConnect(this: SocketWithConn): void {
  this[kConn].onConnected();
}
const readBuffer = Buffer.allocUnsafe(64 * 1024);

function onSocketRead(this: SocketWithConn, nread: number, buf: Buffer): boolean {
  this[kConn].onSocketData(buf.subarray(0, nread));
  return true;
}
function onSocketEnd(this: SocketWithConn): void {
  this[kConn].onSocketEnd();
}
function onSocketError(this: SocketWithConn, err: NodeJS.ErrnoException): void {
  this[kConn].onSocketError(err);
}
function onSocketClose(this: SocketWithConn): void {
  this[kConn].onSocketClose();
}
function onConnectTimeout(conn: UpstreamConnection): void {
  conn.onConnectTimeout();
}

/** The request line and fields, in one string (`host` added when the request has none). */
function requestHead(req: UpstreamRequest, chunked: boolean): string {
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  const h = req.headers;
  let host = false;
  for (let i = 0; i + 1 < h.length; i += 2) {
    const name = h[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') host = true;
    head += `${name}: ${h[i + 1]}\r\n`;
  }
  if (!host) head += 'host: upstream\r\n';
  if (chunked) head += 'transfer-encoding: chunked\r\n';
  return `${head}\r\n`;
}

function hasContentLength(h: readonly string[]): boolean {
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') return true;
  }
  return false;
}

/** Streams a request body with backpressure; an error of the body aborts the call. */
function pipeBody(conn: UpstreamConnection, call: UpstreamCall, body: Readable, chunked: boolean): void {
  const socket = conn.socket;
  const onDrain = () => body.resume();
  const cleanup = () => {
    body.off('data', onData);
    body.off('end', onEnd);
    body.off('error', onError);
    body.off('close', onClose);
    socket.off('drain', onDrain);
  };
  const onData = (chunk: Buffer) => {
    if (call.done) {
      cleanup();
      return;
    }
    const ok = chunked ? writeChunk(socket, chunk) : socket.write(chunk);
    if (!ok) body.pause();
  };
  const onEnd = () => {
    cleanup();
    if (call.done) return;
    if (chunked) socket.write(LAST_CHUNK);
    conn.bodySent(call);
  };
  const onError = (err: Error) => {
    cleanup();
    call.abort(new UpstreamSocketError('UND_ERR_REQ_BODY', `request body: ${err.message}`));
  };
  const onClose = () => {
    if (!body.readableEnded) onError(new Error('request body closed early'));
  };
  body.on('data', onData);
  body.on('end', onEnd);
  body.on('error', onError);
  body.on('close', onClose);
  socket.on('drain', onDrain);
  if (body.readableEnded) onEnd();
  else if (body.destroyed) onError(new Error('request body closed early'));
}
