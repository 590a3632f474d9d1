import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, silentLogger } from '../core/logger.js';
import { AdminRouter } from '../mesh/admin/router.js';
import { AdminServer } from '../mesh/admin/server.js';
import { rolloutControlRoutes } from './control-routes.js';
import type { RolloutController } from './controller.js';

/**
 * Where the other `shakedown rollout` subcommands (and `watch`'s rollback action) reach a
 * running controller: a small HTTP listener on 127.0.0.1 serving the control routes with
 * the platform's bearer token, announced in `<state-dir>/rollouts/<service>.json` (pid,
 * URL, token file) while the rollout runs and removed when it ends.
 */
export interface ControlEndpointState {
  pid: number;
  service: string;
  url: string;
  tokenFile: string;
  runId: string | null;
  startedAt: string;
}

export function controlStateFile(stateDir: string, service: string): string {
  return join(stateDir, 'rollouts', `${service}.json`);
}

/** The live controller of `service` in `stateDir`, or undefined (none, or its process is gone). */
export function readControlState(stateDir: string, service: string): ControlEndpointState | undefined {
  let s: ControlEndpointState;
  try {
    s = JSON.parse(readFileSync(controlStateFile(stateDir, service), 'utf8')) as ControlEndpointState;
  } catch {
    return undefined;
  }
  try {
    process.kill(s.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return s;
}

export class RolloutControlServer {
  private readonly server: AdminServer;
  private announced: string | undefined;

  constructor(
    controllers: ReadonlyMap<string, RolloutController>,
    private readonly token: { token: string; file: string },
    port = 0,
    logger: Logger = silentLogger,
  ) {
    this.server = new AdminServer(
      new AdminRouter(rolloutControlRoutes(controllers)),
      token.token,
      '127.0.0.1',
      port,
      logger,
    );
  }

  get url(): string {
    return this.server.url;
  }

  listen(): Promise<void> {
    return this.server.listen();
  }

  /** Writes the state file other commands find the controller by (mode 0600). */
  announce(stateDir: string, service: string, runId: string | null): void {
    const file = controlStateFile(stateDir, service);
    mkdirSync(join(stateDir, 'rollouts'), { recursive: true, mode: 0o700 });
    const state: ControlEndpointState = {
      pid: process.pid,
      service,
      url: this.url,
      tokenFile: this.token.file,
      runId,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    this.announced = file;
  }

  async close(): Promise<void> {
    if (this.announced) rmSync(this.announced, { force: true });
    this.announced = undefined;
    await this.server.close();
  }
}
