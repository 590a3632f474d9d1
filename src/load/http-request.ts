import type { Client, Dispatcher } from 'undici';
import type { FailureClass } from '../core/window.js';

/**
 * One VU's HTTP exchange on its own keep-alive connection, through undici's low-level
 * `dispatch`. This is the load generator's hot path, so the handler is a single object per
 * VU, reused for every request (a VU has at most one request in flight), and it uses
 * undici's raw-header handler interface so headers are only parsed when a check or the
 * cookie jar needs them. Never rejects: transport errors come back classified.
 */
export interface HttpRequestOptions {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  keepBody: boolean;
}

const connectCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/** Classifies a transport error. */
export function classifyError(err: unknown): FailureClass {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  const causeCode = (err as { cause?: { code?: string } } | undefined)?.cause?.code ?? '';
  for (const c of [code, causeCode]) {
    if (connectCodes.has(c)) return 'connect';
    if (timeoutCodes.has(c)) return 'timeout';
    if (resetCodes.has(c)) return 'reset';
  }
  return 'other';
}

/** Parses undici's raw header list (`[name, value, …]` buffers) into a lower-cased record. */
export function parseRawHeaders(
  raw: Buffer[] | string[] | null | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = String(raw[i]).toLowerCase();
    const v = String(raw[i + 1]);
    const have = out[k];
    if (have === undefined) out[k] = k === 'set-cookie' ? [v] : v;
    else if (Array.isArray(have)) have.push(v);
    else out[k] = `${have}, ${v}`;
  }
  return out;
}

/** Set-Cookie values from raw headers, without parsing the rest. */
export function rawSetCookies(raw: Buffer[] | null | undefined): string[] | undefined {
  if (!raw) return undefined;
  let out: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i] as Buffer;
    // 's' or 'S' first: skips "connection" (also 10 bytes) without making a string.
    if (
      k.length === 10 &&
      (k[0] === 0x73 || k[0] === 0x53) &&
      k.toString('latin1').toLowerCase() === 'set-cookie'
    ) {
      out ??= [];
      out.push((raw[i + 1] as Buffer).toString('latin1'));
    }
  }
  return out;
}

/**
 * The reusable exchange of one VU. `send` starts a request; `onDone` (fixed for the
 * exchange's life, so nothing is allocated per request) is called once it ends, and then
 * the fields describe the response. `onDone` always runs in a microtask, never inside
 * `send` or an undici callback.
 */
export class HttpExchange implements Dispatcher.DispatchHandler {
  status = 0;
  bytesIn = 0;
  failure: FailureClass | undefined;
  error: Error | undefined;
  /** Aborted by Shakedown itself (hard stop): not a failure of the target. */
  aborted = false;
  rawHeaders: Buffer[] | undefined;
  private chunks: Buffer[] | undefined;
  private keepBody = false;
  private abortFn: ((err: Error) => void) | undefined;
  private abortRequested = false;
  private inFlight = false;

  constructor(private readonly onDone: () => void) {}

  send(client: Client, opts: HttpRequestOptions): void {
    this.status = 0;
    this.bytesIn = 0;
    this.failure = undefined;
    this.error = undefined;
    this.aborted = false;
    this.rawHeaders = undefined;
    this.chunks = undefined;
    this.keepBody = opts.keepBody;
    this.abortRequested = false;
    this.inFlight = true;
    try {
      client.dispatch(
        {
          path: opts.path,
          method: opts.method as Dispatcher.HttpMethod,
          headers: opts.headers,
          body: opts.body ?? null,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        },
        this,
      );
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** The response body, when the request asked to keep it. */
  body(): Buffer | undefined {
    return this.chunks ? Buffer.concat(this.chunks) : undefined;
  }

  /** Aborts the request in flight, if any. */
  abort(): void {
    this.abortRequested = true;
    this.abortFn?.(new Error('aborted by stop'));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.abortRequested) abort(new Error('aborted by stop'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    if (this.keepBody) this.chunks = [];
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.finish();
  }

  onError(err: Error): void {
    this.error = err;
    if (this.abortRequested) this.aborted = true;
    else this.failure = classifyError(err);
    this.finish();
  }

  private finish(): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    this.abortFn = undefined;
    // Never re-enter undici from inside its own callbacks: the VU's next dispatch would
    // land on the client while it is still erroring out its queue.
    queueMicrotask(this.onDone);
  }

  /** Drops references to the last response (so they do not outlive it through a pause). */
  release(): void {
    this.rawHeaders = undefined;
    this.chunks = undefined;
    this.error = undefined;
  }
}
