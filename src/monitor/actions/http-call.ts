import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request } from 'undici';
import { z } from 'zod';
import { durationMs, strictObject } from '../../spec/types.js';
import type { Alert } from '../alert.js';
import { compileTemplate, type Template } from '../rules/template.js';
import type { ActionContext, ActionPlugin, ActionRunner } from './action.js';

/**
 * Calls an HTTP control API: a JSON request with `Authorization: Bearer <token>`, the
 * token read from `tokenFile` at each call (so rotating it needs no restart). String
 * values in `body` and the path may use the alert's templates.
 */
export interface HttpCall {
  url: string;
  method: string;
  tokenFile?: string | undefined;
  body?: unknown;
  timeoutMs: number;
}

function compileBody(body: unknown): (data: { labels: Alert['labels']; value: number }) => unknown {
  if (typeof body === 'string') {
    const t: Template = compileTemplate(body);
    return (d) => t.render(d);
  }
  if (Array.isArray(body)) {
    const parts = body.map(compileBody);
    return (d) => parts.map((p) => p(d));
  }
  if (body && typeof body === 'object') {
    const parts = Object.entries(body).map(([k, v]) => [k, compileBody(v)] as const);
    return (d) => Object.fromEntries(parts.map(([k, p]) => [k, p(d)]));
  }
  return () => body;
}

/** A runner for one call; used by the `http` action and the control-API actions. */
export function httpCallRunner(call: HttpCall, ctx: ActionContext): ActionRunner {
  const url = compileTemplate(call.url);
  const body = call.body === undefined ? undefined : compileBody(call.body);
  return {
    run: async (alert, signal) => {
      const data = { labels: alert.labels, value: alert.value };
      const target = url.render(data);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (call.tokenFile) {
        let token: string;
        try {
          token = readFileSync(resolve(ctx.baseDir, call.tokenFile), 'utf8').trim();
        } catch (e) {
          return {
            ok: false,
            detail: `cannot read token file ${call.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          };
        }
        headers.authorization = `Bearer ${token}`;
      }
      try {
        const res = await request(target, {
          method: call.method as 'POST',
          headers,
          ...(body ? { body: JSON.stringify(body(data)) } : {}),
          signal: AbortSignal.any([signal, AbortSignal.timeout(call.timeoutMs)]),
        });
        const text = (await res.body.text()).slice(0, 200);
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        return {
          ok,
          detail: `${call.method} ${target}: HTTP ${res.statusCode}${text ? ` ${text.replace(/\s+/g, ' ')}` : ''}`,
        };
      } catch (e) {
        return { ok: false, detail: `${call.method} ${target}: ${(e as Error).message}` };
      }
    },
  };
}

const schema = strictObject({
  type: z.literal('http'),
  url: z.string().url({ error: () => 'expected an http(s) URL' }),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE', 'GET']).default('POST'),
  tokenFile: z.string().optional(),
  body: z.unknown().optional(),
  timeout: durationMs.default(10_000),
});

export const httpAction: ActionPlugin<z.output<typeof schema>> = {
  summary: 'call an HTTP API with a bearer token from a file',
  schema,
  create: (c, ctx) =>
    httpCallRunner(
      { url: c.url, method: c.method, tokenFile: c.tokenFile, body: c.body, timeoutMs: c.timeout },
      ctx,
    ),
};
