import { request } from 'undici';
import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { assertTargetsAllowed } from '../../load/target-policy.js';
import { durationMs } from '../../spec/types.js';
import { defineAction } from './types.js';

/** Calls an HTTP endpoint (loopback) and expects a status; a relative URL goes to a mesh listener. */
export const httpAction = defineAction({
  type: 'http',
  summary: 'call an HTTP endpoint (loopback) and expect a status',
  shape: {
    url: z.string().min(1),
    listener: z.string().optional(),
    method: z
      .string()
      .regex(/^[A-Z]+$/)
      .default('POST'),
    body: z.unknown().optional(),
    expect: z.array(z.number().int()).default([200, 201, 202, 204]),
    timeout: durationMs.default(10_000),
  },
  async run(p, ctx) {
    const base = /^https?:\/\//.test(p.url) ? undefined : ctx.controls.listenerUrl(p.listener);
    const url = base ? new URL(p.url, base).toString() : p.url;
    assertTargetsAllowed([url], false);
    const res = await request(url, {
      method: p.method as 'POST',
      headers: p.body === undefined ? {} : { 'content-type': 'application/json' },
      body: p.body === undefined ? null : JSON.stringify(p.body),
      headersTimeout: p.timeout,
      bodyTimeout: p.timeout,
    });
    const text = await res.body.text();
    if (!p.expect.includes(res.statusCode))
      throw new ShakedownError(
        'E_CHAOS_ACTION',
        `${p.method} ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`,
        {
          exitCode: ExitCode.internal,
        },
      );
    return { status: res.statusCode };
  },
});
