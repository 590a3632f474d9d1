import { join } from 'node:path';
import type { EventSink, RunEvent } from '../core/event.js';
import { createLogger, type Logger } from '../core/logger.js';
import { fleetAdminRoutes } from '../fleet/admin-routes.js';
import { servicesFromSpec } from '../fleet/definition.js';
import { Fleet } from '../fleet/fleet.js';
import { meshPortFromControl } from '../fleet/mesh-control-port.js';
import { AdminRouter } from '../mesh/admin/router.js';
import { AdminServer } from '../mesh/admin/server.js';
import { prepareToken } from '../mesh/admin/token.js';
import { meshConfigFromSpec } from '../mesh/from-spec.js';
import { Mesh } from '../mesh/mesh.js';
import type { MeshPlane } from '../mesh/plane.js';
import { TcpPlane } from '../mesh/tcp/plane.js';
import type { TcpProxy } from '../mesh/tcp/proxy.js';
import type { LoadedSpec } from '../spec/load-spec.js';
import { meshTemplateRe } from '../spec/sections/services.js';

/** How the local platform is started. */
export interface LocalPlatformOptions {
  /** Logs (`logs/<service>/<replica>.log`) and the admin token (`admin-token`, mode 0600). */
  stateDir: string;
  /** The environment replicas inherit; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Every mesh, TCP and fleet event, on one timeline. */
  events?: EventSink;
  /** How long every replica gets to be ready and in the mesh at start (default 60 s). */
  readyTimeoutMs?: number;
  /** Port of the admin API on 127.0.0.1; 0 (default) picks a free one. */
  adminPort?: number;
  logger?: Logger;
}

const defaultReadyTimeoutMs = 60_000;

/**
 * The embedded default platform (DESIGN.md, platform/local): the spec's mesh (HTTP data
 * plane and TCP listeners) and its services as local replicas, wired together. Replicas
 * join the mesh when ready and are drained from it before they stop; services reach each
 * other through the mesh with `{{mesh.LISTENER}}` in their env; one admin API on loopback
 * with one bearer token serves the mesh's routes, `/v1/tcp/…` and `/v1/fleet/…`. This is
 * what `shakedown up`, `demo`, chaos and rollouts run on.
 */
export class LocalPlatform {
  private stopping: Promise<void> | undefined;
  private admin: { url: string; tokenFile: string | undefined } | undefined;
  private ownAdmin: { server: AdminServer; cleanup(): void } | undefined;

  private constructor(
    readonly mesh: Mesh | undefined,
    readonly fleet: Fleet | undefined,
    private readonly tcpPlane: TcpPlane | undefined,
    private readonly settings: {
      logger: Logger;
      tokenFile: string;
      adminPort: number;
      readyTimeoutMs: number;
    },
  ) {}

  /**
   * Starts the mesh (if the spec has one), then every replica, and resolves when all are
   * ready and joined. On failure everything started is stopped and the error is thrown.
   */
  static async start(loaded: LoadedSpec, opts: LocalPlatformOptions): Promise<LocalPlatform> {
    const platform = LocalPlatform.create(loaded, opts);
    try {
      await platform.start();
    } catch (e) {
      await platform.stop();
      throw e;
    }
    return platform;
  }

  /**
   * Builds the platform without starting anything, for callers that must be able to stop
   * it while it starts (Ctrl-C during `shakedown up`): then call {@link start}.
   */
  static create(loaded: LoadedSpec, opts: LocalPlatformOptions): LocalPlatform {
    const { spec } = loaded;
    const emit = (e: RunEvent) => opts.events?.emit(e);
    const logger = opts.logger ?? createLogger({ stream: process.stderr, level: 'warn' });
    const tokenFile = join(opts.stateDir, 'admin-token');
    const adminPort = opts.adminPort ?? 0;
    const services = spec.services ? servicesFromSpec(spec.services, loaded.dir) : [];

    let mesh: Mesh | undefined;
    let fleet: Fleet | undefined;
    let tcpPlane: TcpPlane | undefined;
    const planes: MeshPlane[] = [];
    if (spec.mesh) {
      if (spec.mesh.tcp.length > 0) {
        tcpPlane = new TcpPlane(spec.mesh.tcp);
        planes.push(tcpPlane);
      }
      if (services.length > 0) planes.push(fleetPlane(() => fleet));
      mesh = new Mesh(meshConfigFromSpec(spec.mesh, { adminPort, tokenFile }), { logger, planes });
      mesh.subscribeEvents({ emit });
    }
    if (services.length > 0) {
      const meshRef = mesh;
      fleet = new Fleet({
        services,
        stateDir: opts.stateDir,
        sink: { emit },
        ...(meshRef ? { mesh: meshPortFromControl(meshRef) } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        templates: (name) => {
          const listener = meshTemplateRe.exec(name)?.[1];
          return listener === undefined
            ? undefined
            : meshRef?.addresses().listeners.find((l) => l.name === listener)?.url;
        },
      });
    }

    return new LocalPlatform(mesh, fleet, tcpPlane, {
      logger,
      tokenFile,
      adminPort,
      readyTimeoutMs: opts.readyTimeoutMs ?? defaultReadyTimeoutMs,
    });
  }

  /**
   * Listens (mesh, TCP listeners, admin API), then starts every replica; resolves when all
   * are ready and joined. On failure the caller stops the platform.
   */
  async start(): Promise<void> {
    await this.listen();
    await this.fleet?.start({ readyTimeoutMs: this.settings.readyTimeoutMs });
  }

  /** The admin API's base URL (the mesh's, or the fleet's own without a mesh). */
  get adminUrl(): string | undefined {
    return this.admin?.url;
  }

  /** The file holding the admin bearer token (mode 0600). */
  get tokenFile(): string | undefined {
    return this.admin?.tokenFile;
  }

  private async listen(): Promise<void> {
    const { logger, tokenFile, adminPort } = this.settings;
    if (this.mesh) {
      const addresses = await this.mesh.start();
      if (addresses.admin) this.admin = { url: addresses.admin.url, tokenFile: addresses.admin.tokenFile };
    } else if (this.fleet) {
      // No mesh: the fleet's routes get an admin listener of their own, same contract.
      const token = prepareToken({ tokenFile });
      const router = new AdminRouter();
      router.mount('/v1/fleet', fleetAdminRoutes(this.fleet));
      const server = new AdminServer(router, token.token, '127.0.0.1', adminPort, logger);
      this.ownAdmin = { server, cleanup: () => token.cleanup() };
      await server.listen();
      this.admin = { url: server.url, tokenFile: token.file };
    }
  }

  /** The spec's TCP listeners by name (empty without `mesh.tcp`). */
  get tcp(): ReadonlyMap<string, TcpProxy> {
    return this.tcpPlane?.listeners() ?? new Map();
  }

  /** The base URL of a mesh HTTP listener (default: the first). */
  listenerUrl(name?: string): string {
    const listeners = this.mesh?.addresses().listeners ?? [];
    const l = name === undefined ? listeners[0] : listeners.find((x) => x.name === name);
    if (!l) {
      throw new Error(
        `no mesh listener ${name === undefined ? '' : `"${name}" `}(listeners: ${listeners.map((x) => x.name).join(', ') || 'none'})`,
      );
    }
    return l.url;
  }

  /** Drains and stops every replica, then the mesh (so drains go through it). Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.fleet?.stop();
      await this.mesh?.stop();
      if (this.ownAdmin?.server.url) await this.ownAdmin.server.close();
      this.ownAdmin?.cleanup();
    })();
    return this.stopping;
  }

  /** SIGKILLs every replica at once (a second Ctrl-C); `stop()` still cleans up. */
  killAll(): void {
    this.fleet?.killAll();
  }
}

/** The fleet's control routes as a mesh plane, mounted at `/v1/fleet` on the mesh's admin API. */
function fleetPlane(fleet: () => Fleet | undefined): MeshPlane {
  return {
    name: 'fleet',
    start: async () => {},
    // The platform stops the fleet before the mesh, so its drains go through the mesh.
    stop: async () => {},
    addresses: () => [],
    state: () => fleet()?.list() ?? [],
    reset: async () => {},
    adminRoutes: () => {
      const f = fleet();
      return f ? fleetAdminRoutes(f) : [];
    },
  };
}
