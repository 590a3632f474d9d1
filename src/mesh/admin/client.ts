import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { ShakedownError } from '../../core/errors.js';
import type { RunEvent } from '../../core/event.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { EncodedWindow } from '../../core/window.js';
import type {
  EndpointState,
  FaultRequest,
  FaultState,
  MeshControl,
  MeshState,
  RoutingRequest,
} from '../control.js';

/**
 * The admin API from another process (fleet registering replicas, chaos adding faults,
 * rollout setting weights): the same {@link MeshControl} interface as the in-process
 * mesh, over HTTP with undici. Errors come back as ShakedownErrors with the server's code.
 */
export class MeshAdminClient implements MeshControl {
  private readonly pool: Pool;

  constructor(
    readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 60_000,
  ) {
    this.pool = new Pool(url, { connections: 4 });
  }

  /** A client whose token is read from the file `shakedown mesh` wrote. */
  static fromTokenFile(url: string, tokenFile: string): MeshAdminClient {
    return new MeshAdminClient(url, readFileSync(tokenFile, 'utf8').trim());
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  state(): Promise<MeshState> {
    return this.call('GET', '/v1/state');
  }

  async weights(service: string): Promise<Record<string, number>> {
    return (
      await this.call<{ weights: Record<string, number> }>('GET', `/v1/services/${enc(service)}/weights`)
    ).weights;
  }

  async setWeights(service: string, weights: Record<string, number>): Promise<void> {
    await this.call('PUT', `/v1/services/${enc(service)}/weights`, { weights });
  }

  async setRouting(service: string, routing: RoutingRequest): Promise<void> {
    await this.call('PUT', `/v1/services/${enc(service)}/routing`, routing);
  }

  addEndpoint(service: string, version: string, address: string): Promise<EndpointState> {
    return this.call('POST', `/v1/services/${enc(service)}/versions/${enc(version)}/endpoints`, { address });
  }

  removeEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts: { drainTimeoutMs?: number } = {},
  ): Promise<{ inFlightAtRemoval: number }> {
    const q = opts.drainTimeoutMs === undefined ? '' : `?drainTimeout=${opts.drainTimeoutMs}`;
    return this.call(
      'DELETE',
      `/v1/services/${enc(service)}/versions/${enc(version)}/endpoints/${enc(endpoint)}${q}`,
    );
  }

  drainEndpoint(
    service: string,
    version: string,
    endpoint: string,
    opts: { timeoutMs?: number } = {},
  ): Promise<{ inFlight: number }> {
    return this.call(
      'POST',
      `/v1/services/${enc(service)}/versions/${enc(version)}/endpoints/${enc(endpoint)}/drain`,
      opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs },
    );
  }

  async faults(): Promise<FaultState[]> {
    return (await this.call<{ faults: FaultState[] }>('GET', '/v1/faults')).faults;
  }

  addFault(fault: FaultRequest): Promise<FaultState> {
    return this.call('POST', '/v1/faults', fault);
  }

  renewFault(id: string, ttlMs: number): Promise<FaultState> {
    return this.call('POST', `/v1/faults/${enc(id)}/renew`, { ttl: ttlMs });
  }

  async removeFault(id: string): Promise<boolean> {
    try {
      await this.call('DELETE', `/v1/faults/${enc(id)}`);
      return true;
    } catch (e) {
      if (e instanceof ShakedownError && e.code === 'E_MESH_UNKNOWN_FAULT') return false;
      throw e;
    }
  }

  async clearFaults(): Promise<number> {
    return (await this.call<{ removed: number }>('DELETE', '/v1/faults')).removed;
  }

  async reset(): Promise<void> {
    await this.call('POST', '/v1/reset');
  }

  async windows(sinceMs = 0): Promise<EncodedWindow[]> {
    return (await this.call<{ windows: EncodedWindow[] }>('GET', `/v1/windows?since=${sinceMs}`)).windows;
  }

  async events(sinceMs = 0): Promise<RunEvent[]> {
    return (await this.call<{ events: RunEvent[] }>('GET', `/v1/events?since=${sinceMs}`)).events;
  }

  /** The Prometheus text of `/metrics`. */
  async metrics(): Promise<string> {
    const res = await this.pool.request({ path: '/metrics', method: 'GET', headersTimeout: this.timeoutMs });
    return res.body.text();
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await this.pool.request({
        path,
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (e) {
      throw new ShakedownError(
        'E_MESH_ADMIN_UNREACHABLE',
        `mesh admin API at ${this.url} unreachable: ${(e as Error).message}`,
        {
          exitCode: ExitCode.unreachable,
          cause: e,
        },
      );
    }
    const text = await res.body.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.statusCode >= 400) {
      const err = (json as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
      throw new ShakedownError(
        err?.code ?? `E_HTTP_${res.statusCode}`,
        `mesh admin ${method} ${path}: ${res.statusCode} ${err?.message ?? text.slice(0, 200)}`,
        {
          exitCode: res.statusCode < 500 ? ExitCode.usage : ExitCode.internal,
          ...(err?.hint ? { hint: err.hint } : {}),
        },
      );
    }
    return json as T;
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
