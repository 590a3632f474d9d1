// Written by hand, not with node:http / undici (the project writes by hand only what no
// good library does, and says why): on the proxy's hot path node:http (server side) and
// undici (upstream pools) cost about half of its CPU per request. Measured back to back on
// the 2-core bench machine (wrk, 50 connections, nginx upstream, same routing, retries,
// statistics and windows): 45-61 µs of CPU per proxied request on node:http + undici (user
// 26-42 µs), 25-27 µs on this codec (user 11-13 µs). bench/RESULTS.md compares with HAProxy.
// This replaces node:http's connection handling (llhttp and its JS glue) for the mesh's
// listeners.
import type { Socket } from 'node:net';
import { ChunkedDecoder, type ChunkSink } from './chunked-decoder.js';
import { type HeadError, scanRequestHead } from './request-head.js';
import { type RequestConnection, ServerRequest } from './server-request.js';

/** The limits a connection works to (read live, so a reload applies at once). */
export interface ServerLimits {
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** What a connection needs from its listener. */
export interface ServerConnectionHost {
  readonly config: ServerLimits;
  readonly draining: boolean;
  onRequest(req: ServerRequest): void;
  /** A request refused before routing (or cut off), by reason. */
  rejected(reason: string): void;
  connectionClosed(conn: ServerConnection): void;
}

enum Phase {
  /** Waiting for (the rest of) a request head. */
  Head = 0,
  /** Reading a request body. */
  Body = 1,
  /** The request is read; its response is under way. */
  Answer = 2,
  Closing = 3,
}

enum Deadline {
  None = 0,
  /** Head not complete in time: 408. */
  Headers = 1,
  /** Body not complete in time: 408, or the connection cut. */
  Request = 2,
  /** Idle keep-alive connection: closed quietly. */
  Idle = 3,
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** Bytes buffered behind a request being answered (pipelining) before reading pauses. */
const MAX_PIPELINED_BYTES = 64 * 1024;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/**
 * One downstream HTTP/1.1 connection. Requests are read one at a time, in order: the head
 * is scanned strictly (bad input gets a 400 and the connection closes, a slow head a 408),
 * the body framed by Content-Length or chunked, and bytes of a pipelined next request wait
 * in the buffer until the current response has ended. Time limits are deadlines that the
 * listener's one timer checks, so a request costs no timer of its own.
 */
export class ServerConnection implements RequestConnection, ChunkSink {
  readonly remoteAddress: string;
  private phase = Phase.Head;
  private buf: Buffer | undefined;
  /** How far the current head has been scanned for bare line feeds. */
  private scanned = 0;
  private req: ServerRequest | undefined;
  private remaining = 0;
  private decoder: ChunkedDecoder | undefined;
  private bodyPaused = false;
  deadline = Deadline.Headers;
  deadlineAtMs = 0;
  /** When the current request's first byte came (or the connection opened). */
  private headStartMs = 0;
  private processing = false;
  /** The client half-closed: no request follows the current one. */
  private peerEnded = false;

  constructor(
    readonly socket: Socket,
    private readonly host: ServerConnectionHost,
    nowMs: number,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.setDeadline(Deadline.Headers, host.config.headersTimeoutMs, nowMs);
    (socket as SocketWithConn)[kConn] = this;
    socket.on('data', onSocketData);
    socket.on('drain', onSocketDrain);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
  }

  /** No request on it: a keep-alive connection between requests, or one not used yet. */
  get idle(): boolean {
    return this.phase === Phase.Head && this.buf === undefined;
  }

  closeAfterResponse(): boolean {
    return this.host.draining || this.peerEnded || this.phase === Phase.Closing;
  }

  keepAliveHint(): string {
    // As node:http words it: whole seconds, rounded down. The idle deadline is checked
    // at a coarser step, so the connection closes at this time or a little later.
    return `timeout=${Math.floor(this.host.config.keepAliveTimeoutMs / 1000)}`;
  }

  onData(chunk: Buffer): void {
    if (this.phase === Phase.Closing) return;
    if (this.buf === undefined) {
      this.buf = chunk;
      if (this.phase === Phase.Head && this.deadline === Deadline.Idle) {
        this.setDeadline(Deadline.Headers, this.host.config.headersTimeoutMs, performance.now());
      }
    } else this.buf = Buffer.concat([this.buf, chunk]);
    this.process();
  }

  /**
   * Works through the buffer. Not re-entered: a response that ends synchronously, inside
   * the request's own handling, leaves the next pipelined request to the loop running, so
   * the stack does not grow with the number of pipelined requests.
   */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const buf = this.buf;
        if (buf === undefined) return;
        switch (this.phase) {
          case Phase.Head:
            if (!this.head(buf)) return;
            break;
          case Phase.Body:
            if (!this.body(buf)) return;
            break;
          case Phase.Answer:
            if (buf.length > MAX_PIPELINED_BYTES) this.socket.pause();
            return;
          case Phase.Closing:
            return;
        }
      }
    } finally {
      this.processing = false;
    }
  }

  /** Scans for a complete head; true when it consumed one and processing goes on. */
  private head(buf: Buffer): boolean {
    let start = 0;
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
    const end = buf.indexOf(HEAD_END, start);
    const limit = this.host.config.maxHeaderBytes;
    if (end < 0) {
      if (buf.length - start > limit) return this.refuse('header-overflow', 'header fields too large');
      // A bare LF would otherwise leave the client waiting for a timeout.
      for (let i = Math.max(start, this.scanned); i < buf.length; i++) {
        if (buf[i] === 0x0a && (i === 0 || buf[i - 1] !== 0x0d)) {
          return this.refuse('bad-request', 'bare LF in head');
        }
      }
      this.scanned = buf.length;
      this.buf = start === 0 ? buf : start < buf.length ? buf.subarray(start) : undefined;
      if (start > 0) this.scanned = 0;
      return false;
    }
    this.scanned = 0;
    if (end - start > limit) return this.refuse('header-overflow', 'header fields too large');
    const scanned = scanRequestHead(buf.toString('latin1', start, end));
    if ('reason' in scanned) return this.refuseHead(scanned);
    const rest = end + 4;
    this.buf = rest < buf.length ? buf.subarray(rest) : undefined;
    const req = new ServerRequest(this, scanned);
    this.req = req;
    if (req.complete) {
      this.phase = Phase.Answer;
      this.deadline = Deadline.None;
    } else {
      this.phase = Phase.Body;
      this.setDeadline(Deadline.Request, this.host.config.requestTimeoutMs, this.headStartMs);
      if (scanned.chunked) {
        this.decoder ??= new ChunkedDecoder();
        this.decoder.reset();
      } else this.remaining = scanned.contentLength;
      if (scanned.expectContinue && scanned.versionMinor === 1) this.socket.write(CONTINUE, 'latin1');
    }
    this.host.onRequest(req);
    return (this.phase as Phase) !== Phase.Closing;
  }

  /** Feeds body bytes; true when the body is complete and processing goes on. */
  private body(buf: Buffer): boolean {
    const req = this.req as ServerRequest;
    let used: number;
    if (this.decoder !== undefined && req.chunked) {
      used = this.decoder.push(buf, 0, buf.length, this);
      if (used < 0) {
        this.cutOff(400, 'bad-request', 'malformed chunked body');
        return false;
      }
      if (this.phase === Phase.Closing) return false;
      if (!this.decoder.done) {
        this.buf = undefined;
        return false;
      }
    } else {
      used = Math.min(this.remaining, buf.length);
      this.remaining -= used;
      if (used > 0 && !req.bodyData(used === buf.length ? buf : buf.subarray(0, used))) this.pauseBody();
      if (this.phase === Phase.Closing) return false;
      if (this.remaining > 0) {
        this.buf = undefined;
        return false;
      }
    }
    this.buf = used < buf.length ? buf.subarray(used) : undefined;
    this.deadline = Deadline.None;
    if (req.finished) {
      // Answered before its body was all read: go on with the next request.
      this.phase = Phase.Answer;
      req.bodyEnd();
      this.next();
      return true;
    }
    this.phase = Phase.Answer;
    req.bodyEnd();
    return true;
  }

  onBodyData(chunk: Buffer): void {
    if (!(this.req as ServerRequest).bodyData(chunk)) this.pauseBody();
  }

  private pauseBody(): void {
    this.bodyPaused = true;
    this.socket.pause();
  }

  resumeBody(): void {
    if (!this.bodyPaused) return;
    this.bodyPaused = false;
    this.socket.resume();
  }

  responseDone(req: ServerRequest, keepAlive: boolean): void {
    if (req !== this.req) return;
    if (!keepAlive || this.peerEnded || this.phase === Phase.Closing) {
      this.close();
      return;
    }
    if (this.phase === Phase.Body) {
      // The body is still coming: it is read (and dropped) before the next request.
      req.discardRest();
      this.resumeBody();
      return;
    }
    this.next();
  }

  /** The response ended and the request is read: on to the next one. */
  private next(): void {
    this.req = undefined;
    this.phase = Phase.Head;
    const now = performance.now();
    if (this.socket.isPaused()) this.socket.resume();
    if (this.buf === undefined) {
      // Draining: a response that began before the drain said keep-alive; close now.
      if (this.host.draining) this.close();
      else this.setDeadline(Deadline.Idle, this.host.config.keepAliveTimeoutMs, now);
      return;
    }
    this.setDeadline(Deadline.Headers, this.host.config.headersTimeoutMs, now);
    this.process();
  }

  /** Sets the connection's one deadline (none when the limit is 0). */
  private setDeadline(kind: Deadline, limitMs: number, fromMs: number): void {
    if (kind === Deadline.Headers) this.headStartMs = fromMs;
    this.deadline = limitMs > 0 ? kind : Deadline.None;
    this.deadlineAtMs = fromMs + limitMs;
  }

  /** Checks the deadline (the listener's timer). */
  check(nowMs: number): void {
    if (this.deadline === Deadline.None || nowMs < this.deadlineAtMs) return;
    const kind = this.deadline;
    this.deadline = Deadline.None;
    if (kind === Deadline.Idle) this.close();
    else if (kind === Deadline.Headers) {
      if (this.buf === undefined && this.req === undefined) this.close();
      else this.refuse('timeout', 'request timeout', 408);
    } else this.cutOff(408, 'timeout', 'request timeout');
  }

  /** Closes the connection when it carries no request (drain). */
  closeIfIdle(): void {
    if (this.idle) this.close();
  }

  /** Refuses a head: the reply, then the connection closes. */
  private refuseHead(e: HeadError): boolean {
    if (e.reason === 'connect-method') return this.refuse(e.reason, e.message, 405);
    if (e.reason === 'expectation') return this.refuse(e.reason, e.message, 417);
    return this.refuse(e.reason, e.message);
  }

  private refuse(reason: string, message: string, status = 400): boolean {
    this.host.rejected(reason);
    this.phase = Phase.Closing;
    this.buf = undefined;
    this.socket.end(rawReply(status, status === 400 ? `bad request: ${message}\n` : `${message}\n`));
    this.destroySoon();
    return false;
  }

  /** The request in progress is broken or too slow: it is cut off. */
  private cutOff(status: number, reason: string, message: string): void {
    const req = this.req as ServerRequest;
    this.host.rejected(reason);
    this.phase = Phase.Closing;
    this.buf = undefined;
    req.bodyAbort(new Error(message));
    if (req.headersSent) this.socket.destroy();
    else {
      req.headersSent = true;
      req.finished = true;
      this.socket.end(rawReply(status, status === 400 ? `bad request: ${message}\n` : `${message}\n`));
      this.destroySoon();
    }
    req.owner?.clientGone();
  }

  close(): void {
    if (this.phase === Phase.Closing && this.socket.destroyed) return;
    this.phase = Phase.Closing;
    this.buf = undefined;
    this.socket.end();
    this.destroySoon();
  }

  /** A client that stops reading must not keep the socket. */
  private destroySoon(): void {
    setTimeout(destroySocket, 1000, this.socket).unref();
  }

  /** The client sent FIN: the request being answered is answered, nothing more is read. */
  onEnd(): void {
    this.peerEnded = true;
    if (this.phase === Phase.Answer) return;
    if (this.phase === Phase.Body) this.cutOff(400, 'bad-request', 'request body cut short');
    else this.close();
  }

  onDrain(): void {
    this.req?.owner?.drained();
  }

  onClose(): void {
    this.phase = Phase.Closing;
    this.deadline = Deadline.None;
    this.buf = undefined;
    const req = this.req;
    this.req = undefined;
    if (req !== undefined) {
      req.bodyAbort(new Error('client closed the connection'));
      if (!req.finished) req.owner?.clientGone();
    }
    this.host.connectionClosed(this);
  }
}

const kConn = Symbol('shakedown.serverConnection');
type SocketWithConn = Socket & { [kConn]: ServerConnection };

function onSocketData(this: SocketWithConn, chunk: Buffer): void {
  this[kConn].onData(chunk);
}
function onSocketDrain(this: SocketWithConn): void {
  this[kConn].onDrain();
}
function onSocketEnd(this: SocketWithConn): void {
  this[kConn].onEnd();
}
function onSocketError(this: SocketWithConn): void {
  this.destroy();
}
function onSocketClose(this: SocketWithConn): void {
  this[kConn].onClose();
}
function destroySocket(socket: Socket): void {
  socket.destroy();
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  417: 'Expectation Failed',
};

/** A reply written straight to the socket, before or instead of a request's response. */
export function rawReply(status: number, body: string): string {
  return `HTTP/1.1 ${status} ${statusText[status] ?? ''}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-shakedown-reason: bad-request\r\n\r\n${body}`;
}
