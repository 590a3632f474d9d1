import { Client } from 'undici';
import type { MeshContext } from './context.js';
import type { Endpoint } from './endpoint.js';
import { nextHealth, statusPasses } from './health-state.js';
import type { HealthCheckConfig } from './model.js';

/**
 * Active health checks of one endpoint: a GET of `path` every `intervalMs` on a connection
 * of its own (so checks neither wait behind nor count as traffic), judged by status, with
 * the thresholds of {@link nextHealth}. The first check is spread randomly over the first
 * interval so that many endpoints are not checked in lockstep.
 */
export class HealthChecker {
  private timer: NodeJS.Timeout | undefined;
  private client: Client | undefined;
  private stopped = false;

  constructor(
    private readonly ep: Endpoint,
    private readonly config: HealthCheckConfig,
    private readonly ctx: MeshContext,
  ) {}

  start(): void {
    this.schedule(this.ctx.random.next() * this.config.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.client;
    this.client = undefined;
    c?.destroy().catch(() => {});
  }

  /** Runs one check now; resolves with whether it passed. Exposed for tests. */
  async check(): Promise<boolean> {
    const cfg = this.config;
    this.client ??= new Client(this.ep.address.origin, {
      connectTimeout: cfg.timeoutMs,
      keepAliveTimeout: Math.max(cfg.intervalMs * 2, 1000),
    });
    let passed = false;
    try {
      const res = await this.client.request({
        path: cfg.path,
        method: 'GET',
        headers: { 'user-agent': 'shakedown-mesh-health-check' },
        headersTimeout: cfg.timeoutMs,
        bodyTimeout: cfg.timeoutMs,
        signal: AbortSignal.timeout(cfg.timeoutMs),
      });
      await res.body.dump();
      passed = statusPasses(res.statusCode, cfg.expect);
    } catch {
      passed = false;
    }
    if (this.stopped) return passed;
    const { state, changed } = nextHealth(this.ep.health, passed, cfg);
    this.ep.health = state;
    if (changed) {
      this.ctx.emit(
        state.healthy ? 'endpoint.healthy' : 'endpoint.unhealthy',
        `${this.ep.service}/${this.ep.version}/${this.ep.id}`,
        { path: cfg.path },
      );
    }
    return passed;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check().finally(() => this.schedule(this.config.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
