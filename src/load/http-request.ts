import type { Client, Dispatcher } from 'undici';
import type { FailureClass } from '../core/window.js';

/**
 * One HTTP request on a VU's own keep-alive connection, through undici's low-level
 * `dispatch` (no stream objects on the hot path). Never rejects: transport errors come
 * back classified. The body is kept only when a check needs it; otherwise only counted.
 */
export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined> | undefined;
  body: Buffer | undefined;
  bytesIn: number;
  failure: FailureClass | undefined;
  error: Error | undefined;
  /** Aborted by Shakedown itself (hard stop): not a failure of the target. */
  aborted: boolean;
}

export interface HttpRequestOptions {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  keepBody: boolean;
  keepHeaders: boolean;
  signal: AbortSignal | undefined;
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

export function sendRequest(client: Client, opts: HttpRequestOptions): Promise<HttpResult> {
  return new Promise<HttpResult>((resolve) => {
    let status = 0;
    let headers: HttpResult['headers'];
    let bytesIn = 0;
    let chunks: Buffer[] | undefined;
    let settled = false;
    let abortListener: (() => void) | undefined;
    const finish = (r: HttpResult) => {
      if (settled) return;
      settled = true;
      if (abortListener) opts.signal?.removeEventListener('abort', abortListener);
      resolve(r);
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        if (opts.signal) {
          if (opts.signal.aborted) {
            controller.abort(new Error('aborted'));
            return;
          }
          abortListener = () => controller.abort(new Error('aborted by stop'));
          opts.signal.addEventListener('abort', abortListener, { once: true });
        }
      },
      onResponseStart(_controller, statusCode, h) {
        status = statusCode;
        if (opts.keepHeaders) headers = h as HttpResult['headers'];
        if (opts.keepBody) chunks = [];
      },
      onResponseData(_controller, chunk) {
        bytesIn += chunk.length;
        chunks?.push(chunk);
      },
      onResponseEnd() {
        finish({
          status,
          headers,
          body: chunks ? Buffer.concat(chunks) : undefined,
          bytesIn,
          failure: undefined,
          error: undefined,
          aborted: false,
        });
      },
      onResponseError(_controller, err) {
        const aborted = opts.signal?.aborted === true;
        finish({
          status,
          headers,
          body: undefined,
          bytesIn,
          failure: aborted ? undefined : classifyError(err),
          error: err,
          aborted,
        });
      },
    };
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
        handler,
      );
    } catch (err) {
      finish({
        status: 0,
        headers: undefined,
        body: undefined,
        bytesIn: 0,
        failure: classifyError(err),
        error: err as Error,
        aborted: false,
      });
    }
  });
}
