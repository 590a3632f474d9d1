import { request } from 'undici';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Fleet } from '../fleet/fleet.js';
import type { ServiceStatus } from '../fleet/status.js';

/**
 * What a rollout needs from the runtime that runs the versions: how many replicas a
 * version has, start a version with N replicas (resolving only when every one is ready —
 * and, behind the mesh, joined as an endpoint, so no request reaches it before), scale,
 * and stop a version (each replica drained from the mesh before its stop signal). The
 * in-process {@link Fleet} and the fleet admin API of a running `shakedown up` implement it.
 */
export interface RolloutFleet {
  desiredReplicas(service: string, version: string): Promise<number>;
  startVersion(service: string, version: string, replicas: number, readyTimeoutMs: number): Promise<void>;
  scale(service: string, version: string, replicas: number, readyTimeoutMs: number): Promise<void>;
  stopVersion(service: string, version: string): Promise<void>;
}

function desiredOf(s: ServiceStatus, version: string): number {
  return s.versions.find((v) => v.name === version)?.desired ?? 0;
}

/** The in-process fleet. */
export function fleetPort(fleet: Fleet): RolloutFleet {
  return {
    desiredReplicas: async (service, version) => desiredOf(fleet.service(service), version),
    startVersion: async (service, version, replicas, readyTimeoutMs) => {
      await fleet.startVersion(service, version, replicas, { readyTimeoutMs });
    },
    scale: async (service, version, replicas, readyTimeoutMs) => {
      await fleet.scale(service, replicas, { version, readyTimeoutMs });
    },
    stopVersion: async (service, version) => {
      await fleet.stopVersion(service, version);
    },
  };
}

/** The fleet admin API of a running `shakedown up` (`/v1/fleet/…`, bearer token for changes). */
export class FleetAdminClient implements RolloutFleet {
  constructor(
    private readonly adminUrl: string,
    private readonly token: string,
  ) {}

  async desiredReplicas(service: string, version: string): Promise<number> {
    return desiredOf(await this.call<ServiceStatus>('GET', `/services/${enc(service)}`), version);
  }

  async startVersion(
    service: string,
    version: string,
    replicas: number,
    readyTimeoutMs: number,
  ): Promise<void> {
    await this.call(
      'POST',
      `/services/${enc(service)}/versions/${enc(version)}/start`,
      { replicas },
      readyTimeoutMs,
    );
  }

  async scale(service: string, version: string, replicas: number, readyTimeoutMs: number): Promise<void> {
    await this.call('POST', `/services/${enc(service)}/scale`, { replicas, version }, readyTimeoutMs);
  }

  async stopVersion(service: string, version: string): Promise<void> {
    await this.call('POST', `/services/${enc(service)}/versions/${enc(version)}/stop`, {});
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs = 60_000,
  ): Promise<T> {
    const url = `${this.adminUrl.replace(/\/$/, '')}/v1/fleet${path}`;
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headersTimeout: timeoutMs + 5000,
        bodyTimeout: timeoutMs + 5000,
      });
    } catch (e) {
      throw new ShakedownError(
        'E_UP_UNREACHABLE',
        `cannot reach the fleet admin API at ${this.adminUrl}: ${(e as Error).message}`,
        {
          exitCode: ExitCode.unreachable,
          hint: 'is `shakedown up` still running?',
        },
      );
    }
    const text = await res.body.text();
    const json = text
      ? (JSON.parse(text) as T & { error?: { code: string; message: string; hint?: string } })
      : ({} as T);
    if (res.statusCode >= 400) {
      const err = (json as { error?: { code: string; message: string; hint?: string } }).error;
      throw new ShakedownError(
        err?.code ?? `E_HTTP_${res.statusCode}`,
        `fleet ${method} ${path}: ${err?.message ?? res.statusCode}`,
        {
          exitCode:
            res.statusCode === 503
              ? ExitCode.environment
              : res.statusCode < 500
                ? ExitCode.usage
                : ExitCode.internal,
          ...(err?.hint ? { hint: err.hint } : {}),
        },
      );
    }
    return json;
  }
}

const enc = encodeURIComponent;
