import { request } from 'undici';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { RolloutStatus } from './status.js';

/** The CLI side of a running controller's control API (status, promote, abort). */
export class RolloutControlClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  status(service: string): Promise<RolloutStatus> {
    return this.call('GET', `/v1/rollouts/${encodeURIComponent(service)}`);
  }

  promote(service: string, full: boolean): Promise<RolloutStatus> {
    return this.call('POST', `/v1/rollouts/${encodeURIComponent(service)}/promote`, { full });
  }

  abort(service: string, reason: string, by = 'user'): Promise<RolloutStatus> {
    return this.call('POST', `/v1/rollouts/${encodeURIComponent(service)}/abort`, { reason, by });
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(`${this.url}${path}`, {
        method,
        headers: {
          ...(method === 'POST'
            ? { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' }
            : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch (e) {
      throw new ShakedownError(
        'E_ROLLOUT_UNREACHABLE',
        `the rollout controller at ${this.url} does not answer: ${(e as Error).message}`,
        {
          exitCode: ExitCode.unreachable,
        },
      );
    }
    const json = (await res.body.json().catch(() => ({}))) as T & {
      error?: { code: string; message: string; hint?: string };
    };
    if (res.statusCode >= 400) {
      const err = json.error ?? { code: `E_HTTP_${res.statusCode}`, message: `HTTP ${res.statusCode}` };
      throw new ShakedownError(err.code, err.message, {
        exitCode:
          res.statusCode === 401
            ? ExitCode.environment
            : res.statusCode < 500
              ? ExitCode.usage
              : ExitCode.internal,
        ...(err.hint ? { hint: err.hint } : {}),
      });
    }
    return json;
  }
}
