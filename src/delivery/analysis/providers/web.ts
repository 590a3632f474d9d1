import { request } from 'undici';
import { z } from 'zod';
import { jsonPath } from '../../../load/checks.js';
import { assertTargetsAllowed } from '../../../load/target-policy.js';
import { durationMs, strictObject } from '../../../spec/types.js';
import { argsMessage, fillArgs, type ProviderPlugin, type Reading } from './provider.js';

/**
 * A web check (Argo's web metric): an HTTP request whose JSON answer is read at `jsonPath`
 * (`status`, `data.0.ok`, `$.a.b`), or, without a path, whose status code is the value
 * (2xx succeeds unless conditions say otherwise). Loopback only unless `allowRemote`.
 * A missing path in the answer is no data.
 */
const template = z.string().superRefine((v, ctx) => {
  const m = argsMessage(v);
  if (m) ctx.addIssue({ code: 'custom', message: m });
});

const schema = strictObject({
  type: z.literal('web'),
  url: template.pipe(z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL')),
  method: z.enum(['GET', 'POST', 'PUT', 'HEAD']).default('GET'),
  headers: z.record(z.string(), template).default({}),
  body: template.optional(),
  jsonPath: z.string().min(1).optional(),
  timeout: durationMs.default(10_000),
  allowRemote: z.boolean().default(false),
});

type WebConfig = z.output<typeof schema>;

export const webProvider: ProviderPlugin<WebConfig> = {
  summary: 'an HTTP request; the value at jsonPath of its JSON answer, or its status code',
  schema,
  defaultSuccessCondition: (c) => (c.jsonPath === undefined ? 'result >= 200 && result < 300' : undefined),
  create: (c) => ({
    measure: async (ctx): Promise<Reading> => {
      const url = fillArgs(c.url, ctx);
      assertTargetsAllowed([url], c.allowRemote);
      const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, fillArgs(v, ctx)]));
      const res = await request(url, {
        method: c.method,
        headers,
        ...(c.body !== undefined ? { body: fillArgs(c.body, ctx) } : {}),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(c.timeout)]),
      });
      const text = await res.body.text();
      if (c.jsonPath === undefined) {
        return {
          kind: 'value',
          value: res.statusCode,
          message: `${c.method} ${url}: HTTP ${res.statusCode}`,
        };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`${c.method} ${url}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 80)}`);
      }
      const v = jsonPath(parsed, c.jsonPath);
      if (v === undefined || v === null)
        return { kind: 'no-data', message: `${url}: nothing at ${c.jsonPath} (HTTP ${res.statusCode})` };
      if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')
        throw new Error(
          `${url}: ${c.jsonPath} is ${Array.isArray(v) ? 'an array' : 'an object'}, not a value`,
        );
      return { kind: 'value', value: v, detail: { status: res.statusCode } };
    },
  }),
};
