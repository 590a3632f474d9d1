import type { Clock } from '../../core/clock.js';
import type { EventSink } from '../../core/event.js';
import type { Registry } from '../../core/registry.js';
import type { Alert } from '../alert.js';
import type { ActionContext, ActionOutcome, ActionPlugin, ActionRunner } from './action.js';

/**
 * Matches alert changes to the configured responses (`watch.actions`) and runs them:
 * at most once per alert and response within `cooldown`, each bounded by its own
 * timeout, each recorded as an `action.succeeded` / `action.failed` event.
 */
export interface ResponseConfig {
  /** alertname to respond to (any when absent). */
  alert?: string;
  /** Labels the alert must have. */
  match?: Record<string, string>;
  on: 'firing' | 'resolved';
  cooldownMs: number;
  run: { type: string } & Record<string, unknown>;
}

export interface ActionRecord extends ActionOutcome {
  alert: Alert;
  action: string;
  on: 'firing' | 'resolved';
}

export class Responder {
  private readonly runners: Array<{ cfg: ResponseConfig; runner: ActionRunner }>;
  private readonly lastRun = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    configs: readonly ResponseConfig[],
    registry: Registry<ActionPlugin>,
    ctx: ActionContext,
    private readonly events: EventSink,
    private readonly clock: Clock = ctx.clock,
    private readonly onRecord?: (r: ActionRecord) => void,
  ) {
    this.runners = configs.map((cfg) => {
      const plugin = registry.get(cfg.run.type);
      return { cfg, runner: plugin.create(plugin.schema.parse(cfg.run), ctx) };
    });
  }

  /** Starts the responses to these changes; `drain` waits for them. */
  handle(changes: readonly Alert[], signal: AbortSignal): void {
    for (const alert of changes) {
      this.runners.forEach(({ cfg, runner }, i) => {
        if (cfg.on !== alert.status) return;
        if (cfg.alert !== undefined && alert.labels.alertname !== cfg.alert) return;
        if (cfg.match && Object.entries(cfg.match).some(([k, v]) => alert.labels[k] !== v)) return;
        const key = `${i}\u0000${alert.fingerprint}\u0000${alert.status}`;
        const now = this.clock.now();
        const last = this.lastRun.get(key);
        if (last !== undefined && now - last < cfg.cooldownMs) return;
        this.lastRun.set(key, now);
        const p = this.runOne(cfg, runner, alert, signal).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      });
    }
  }

  /** Waits for every running action. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async runOne(
    cfg: ResponseConfig,
    runner: ActionRunner,
    alert: Alert,
    signal: AbortSignal,
  ): Promise<void> {
    const t0 = this.clock.monotonicMs();
    let outcome: Omit<ActionOutcome, 'durationMs'>;
    try {
      outcome = await runner.run(alert, signal);
    } catch (e) {
      outcome = { ok: false, detail: (e as Error).message };
    }
    const durationMs = this.clock.monotonicMs() - t0;
    const record: ActionRecord = { ...outcome, durationMs, alert, action: cfg.run.type, on: cfg.on };
    this.events.emit({
      t: this.clock.now(),
      kind: outcome.ok ? 'action.succeeded' : 'action.failed',
      source: 'watch',
      subject: alert.labels.alertname ?? '',
      data: { action: cfg.run.type, on: cfg.on, detail: outcome.detail, durationMs, labels: alert.labels },
    });
    this.onRecord?.(record);
  }
}
