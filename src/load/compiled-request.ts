import { type CompiledCheck, compileCheck } from './checks.js';
import type { RequestConfig } from './model.js';
import { compileTemplate, type Template } from './template.js';

/**
 * A request of a scenario's mix, compiled: templates parsed, the origin split off when it
 * is constant (so the VU reuses its connection), checks compiled, and what of the response
 * must be kept worked out in advance.
 */
export interface CompiledRequest {
  name: string;
  weight: number;
  method: string;
  /** Constant origin (`http://host:port`), or undefined when the URL's origin is templated. */
  origin: string | undefined;
  /** Path and query template when the origin is constant, else the whole URL template. */
  target: Template;
  headers: Array<[string, Template]>;
  /** The headers as sent, when no header is templated (reused for every request). */
  constantHeaders: Record<string, string> | undefined;
  constantHeaderBytes: number;
  body: Template | undefined;
  contentType: string | undefined;
  expect: (status: number) => boolean;
  checks: CompiledCheck[];
  keepBody: boolean;
  keepHeaders: boolean;
  timeoutMs: number;
}

const originRe = /^(https?:\/\/[^/{}?#]+)(.*)$/;

export function compileRequest(r: RequestConfig, columns: readonly string[], where: string): CompiledRequest {
  const m = originRe.exec(r.url);
  const origin = m ? (m[1] as string) : undefined;
  const rest = m ? (m[2] as string) || '/' : r.url;
  const target = compileTemplate(rest, columns, `${where} url`);
  const headers: Array<[string, Template]> = Object.entries(r.headers).map(([k, v]) => [
    k.toLowerCase(),
    compileTemplate(v, columns, `${where} header ${k}`),
  ]);
  const body =
    r.body === undefined ? undefined : compileTemplate(r.body, columns, `${where} body`, r.bodyIsJson);
  const hasContentType = headers.some(([k]) => k === 'content-type');
  const checks = r.checks.map((c, i) => compileCheck(c, `${where} check ${i + 1}`));
  const expectSet = new Set(r.expect);
  const contentType = r.bodyIsJson && !hasContentType ? 'application/json' : undefined;
  let constantHeaders: Record<string, string> | undefined;
  let constantHeaderBytes = 0;
  if (headers.every(([, t]) => t.constant)) {
    constantHeaders = {};
    for (const [k, t] of headers) constantHeaders[k] = t.render(undefined as never);
    if (contentType) constantHeaders['content-type'] = contentType;
    for (const [k, v] of Object.entries(constantHeaders)) constantHeaderBytes += k.length + v.length + 4;
  }
  return {
    name: r.name,
    weight: r.weight,
    method: r.method,
    origin,
    target,
    headers,
    constantHeaders,
    constantHeaderBytes,
    body,
    contentType,
    expect: expectSet.size > 0 ? (s) => expectSet.has(s) : (s) => s >= 200 && s < 400,
    checks,
    keepBody: checks.some((c) => c.needsBody),
    keepHeaders: checks.some((c) => c.needsHeaders),
    timeoutMs: r.timeoutMs,
  };
}
