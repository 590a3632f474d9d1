import { request } from 'undici';

/**
 * POSTs JSON with a timeout; resolves with the status, rejects with a message naming the
 * URL when the peer cannot be reached or answers with an error status.
 */
export async function postJson(
  url: string,
  body: unknown,
  o: { timeoutMs: number; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...o.headers },
    body: JSON.stringify(body),
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    signal: AbortSignal.timeout(o.timeoutMs),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`POST ${url}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  return { status: res.statusCode, body: text };
}
