import type { OverflowReason } from './circuit-breaker.js';
import type { AttemptFailure } from './retry-policy.js';

/**
 * Why the proxy answered instead of the upstream. Every reply the mesh makes itself
 * carries `x-shakedown-reason: <reason>` (and circuit-breaker rejections also
 * `x-shakedown-overloaded: <limit>`), so a client, a test or a chaos experiment can tell a
 * mesh decision from an upstream answer. Codes are stable.
 */
export type MeshReason =
  | 'no-route'
  | 'no-version'
  | 'no-endpoint'
  | 'connect-failure'
  | 'upstream-reset'
  | 'per-try-timeout'
  | 'timeout'
  | 'overflow'
  | 'fault-abort'
  | 'fault-reset'
  | 'client-gone'
  | 'stopping'
  | 'bad-request'
  | 'upstream-error';

export class MeshError extends Error {
  override readonly name = 'MeshError';
  constructor(
    readonly code: string,
    message: string,
    /** The status answered downstream (0: reset the connection instead). */
    readonly status: number,
    readonly reason: MeshReason,
    /** How the retry policy sees it. */
    readonly failure: AttemptFailure,
    readonly overflow?: OverflowReason,
  ) {
    super(message);
  }
}

export const meshErrors = {
  noEndpoint: () =>
    new MeshError('E_MESH_NO_ENDPOINT', 'no healthy upstream endpoint', 503, 'no-endpoint', 'other'),
  connect: (detail: string) =>
    new MeshError(
      'E_MESH_CONNECT',
      `upstream connect error: ${detail}`,
      503,
      'connect-failure',
      'connect-failure',
    ),
  reset: (detail: string) =>
    new MeshError(
      'E_MESH_RESET',
      `upstream reset before response: ${detail}`,
      503,
      'upstream-reset',
      'reset',
    ),
  perTryTimeout: () =>
    new MeshError('E_MESH_PER_TRY_TIMEOUT', 'upstream per-try timeout', 504, 'per-try-timeout', 'timeout'),
  upstream: (detail: string) =>
    new MeshError('E_MESH_UPSTREAM', `upstream error: ${detail}`, 502, 'upstream-error', 'other'),
  timeout: () => new MeshError('E_MESH_TIMEOUT', 'upstream request timeout', 504, 'timeout', 'other'),
  overflow: (why: OverflowReason) =>
    new MeshError('E_MESH_OVERFLOW', `circuit breaker open: ${why}`, 503, 'overflow', 'overflow', why),
  faultAbort: (status: number) =>
    new MeshError('E_MESH_FAULT_ABORT', 'fault filter abort', status, 'fault-abort', 'other'),
  faultReset: () => new MeshError('E_MESH_FAULT_RESET', 'fault filter reset', 0, 'fault-reset', 'other'),
  clientGone: () => new MeshError('E_MESH_CLIENT_GONE', 'downstream closed', 0, 'client-gone', 'other'),
  stopping: () => new MeshError('E_MESH_STOPPING', 'mesh stopping', 503, 'stopping', 'other'),
};
