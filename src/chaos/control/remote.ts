import { Pool } from 'undici';
import { ShakedownError } from '../../core/errors.js';
import type { RunEvent } from '../../core/event.js';
import { ExitCode } from '../../core/exit-codes.js';
import { decodeWindow } from '../../core/window.js';
import { readAdminToken } from '../../fleet/admin-token.js';
import type { ReplicaStatus, ServiceStatus } from '../../fleet/status.js';
import { MeshAdminClient } from '../../mesh/admin/client.js';
import type { TcpProxyState } from '../../mesh/tcp/index.js';
import type { ChaosControls, FleetControl, TcpControl } from './types.js';

/**
 * The controls of a platform in another process, over its admin API (loopback, bearer
 * token): the mesh through MeshAdminClient, the fleet under `/v1/fleet`, the TCP listeners
 * under `/v1/tcp`. Windows and events are polled every `pollMs` (the admin API keeps the
 * last minutes of both).
 */
export async function remoteControls(
  adminUrl: string,
  tokenFile: string,
  options: { pollMs?: number } = {},
): Promise<ChaosControls> {
  const token = readAdminToken(tokenFile);
  const mesh = new MeshAdminClient(adminUrl, token);
  const http = new AdminHttp(adminUrl, token);
  const state = await mesh.state().catch(() => undefined);
  const fleetRoutes = await http
    .get<{ services: ServiceStatus[] }>('/v1/fleet/services')
    .catch(() => undefined);
  const planes = state?.planes ?? {};
  const pollMs = options.pollMs ?? 1000;
  const timers = new Set<NodeJS.Timeout>();
  const poll = (fn: () => Promise<void>) => {
    let running = false;
    const t = setInterval(() => {
      if (running) return;
      running = true;
      fn()
        .catch(() => {})
        .finally(() => {
          running = false;
        });
    }, pollMs);
    timers.add(t);
    return () => {
      clearInterval(t);
      timers.delete(t);
    };
  };
  return {
    mesh: state ? mesh : undefined,
    fleet: fleetRoutes ? remoteFleet(http) : undefined,
    tcp: Array.isArray(planes.tcp) && planes.tcp.length > 0 ? remoteTcp(http) : undefined,
    listenerUrl: (name) =>
      (name === undefined ? state?.listeners[0] : state?.listeners.find((l) => l.name === name))?.url,
    remote: { adminUrl, tokenFile },
    subscribeMeshWindows: (write) => {
      let since = Date.now();
      return poll(async () => {
        const ws = await mesh.windows(since);
        if (ws.length === 0) return;
        since = Math.max(...ws.map((w) => w.startMs)) + 1;
        write(ws.map(decodeWindow));
      });
    },
    subscribeEvents: (emit: (e: RunEvent) => void) => {
      let since = Date.now();
      const stopMesh = poll(async () => {
        const es = await mesh.events(since);
        for (const e of es) emit(e);
        if (es.length) since = Math.max(...es.map((e) => e.t)) + 1;
      });
      // The fleet's events are not on the mesh's timeline: they are read off its replica
      // states (each exit and each time it became ready carries its time).
      const stopFleet = fleetRoutes ? pollFleetEvents(http, emit, poll) : () => {};
      return () => {
        stopMesh();
        stopFleet();
      };
    },
    close: async () => {
      for (const t of timers) clearInterval(t);
      await mesh.close();
      await http.close();
    },
  };
}

/** `replica.exited` / `replica.ready` events from changes of the fleet's replica states. */
function pollFleetEvents(
  http: AdminHttp,
  emit: (e: RunEvent) => void,
  poll: (fn: () => Promise<void>) => () => void,
): () => void {
  const seen = new Map<string, { readyAt: number | undefined; exitAt: number | undefined }>();
  let first = true;
  return poll(async () => {
    const services = (await http.get<{ services: ServiceStatus[] }>('/v1/fleet/services')).services;
    for (const s of services)
      for (const v of s.versions)
        for (const r of v.replicas) {
          const before = seen.get(r.id);
          const now = { readyAt: r.readyAt, exitAt: r.lastExit?.at };
          seen.set(r.id, now);
          if (first || !before) continue;
          const data = { service: s.name, version: v.name, replica: r.id, derived: true };
          if (now.exitAt !== undefined && now.exitAt !== before.exitAt)
            emit({
              t: now.exitAt,
              kind: 'replica.exited',
              source: 'fleet',
              subject: r.id,
              data: { ...data, signal: r.lastExit?.signal ?? null },
            });
          if (now.readyAt !== undefined && now.readyAt !== before.readyAt)
            emit({
              t: now.readyAt,
              kind: 'replica.ready',
              source: 'fleet',
              subject: r.id,
              data: { ...data, again: true },
            });
        }
    first = false;
  });
}

function remoteFleet(http: AdminHttp): FleetControl {
  const r = (id: string, op: string, body: unknown = {}) =>
    http.post<ReplicaStatus>(`/v1/fleet/replicas/${encodeURIComponent(id)}/${op}`, body);
  return {
    list: async () => (await http.get<{ services: ServiceStatus[] }>('/v1/fleet/services')).services,
    kill: (id, signal) => r(id, 'kill', signal ? { signal } : {}),
    pause: (id, ttlMs) => r(id, 'pause', { ttl: ttlMs }),
    resume: (id) => r(id, 'resume'),
    fail: (id, durationMs) => r(id, 'fail', { duration: durationMs }),
    recover: (id) => r(id, 'recover'),
    scale: (service, replicas, version) =>
      http.post(`/v1/fleet/services/${encodeURIComponent(service)}/scale`, {
        replicas,
        ...(version ? { version } : {}),
      }),
  };
}

function remoteTcp(http: AdminHttp): TcpControl {
  const l = (name: string) => `/v1/tcp/listeners/${encodeURIComponent(name)}`;
  const absent = async (p: Promise<unknown>) => {
    try {
      await p;
      return true;
    } catch (e) {
      if (e instanceof ShakedownError && /UNKNOWN/.test(e.code)) return false;
      throw e;
    }
  };
  return {
    listeners: () => http.get<TcpProxyState[]>('/v1/tcp/listeners'),
    addToxic: async (name, toxic, ttlMs) => {
      await http.post(`${l(name)}/toxics`, { ...toxic, ttl: ttlMs });
    },
    renewToxic: (name, toxic, ttlMs) =>
      absent(http.post(`${l(name)}/toxics/${encodeURIComponent(toxic)}/renew`, { ttl: ttlMs })),
    removeToxic: (name, toxic) =>
      absent(http.call('DELETE', `${l(name)}/toxics/${encodeURIComponent(toxic)}`)),
    disable: async (name, ttlMs) => {
      await http.post(`${l(name)}/disable`, { ttl: ttlMs });
    },
    enable: async (name) => {
      await http.post(`${l(name)}/enable`, {});
    },
    setUpstream: async (name, address) => {
      await http.call('PUT', `${l(name)}/upstream`, { address });
    },
  };
}

/** JSON over the admin API with the bearer token; errors keep the server's code. */
class AdminHttp {
  private readonly pool: Pool;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {
    this.pool = new Pool(url, { connections: 4 });
  }

  get<T>(path: string): Promise<T> {
    return this.call('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call('POST', path, body);
  }

  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await this.pool.request({
        path,
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
    } catch (e) {
      throw new ShakedownError(
        'E_ADMIN_UNREACHABLE',
        `admin API at ${this.url} unreachable: ${(e as Error).message}`,
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
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ShakedownError(
        err?.code ?? `E_HTTP_${res.statusCode}`,
        `admin ${method} ${path}: ${res.statusCode} ${err?.message ?? text.slice(0, 200)}`,
        { exitCode: res.statusCode < 500 ? ExitCode.usage : ExitCode.internal },
      );
    }
    return json as T;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
