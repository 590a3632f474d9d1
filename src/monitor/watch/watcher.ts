import { type Clock, systemClock } from '../../core/clock.js';
import type { EventSink, RunEvent } from '../../core/event.js';
import type { Logger } from '../../core/logger.js';
import type { WatchSection } from '../../spec/sections/watch.js';
import { actionRegistry } from '../actions/registry.js';
import { Responder } from '../actions/responder.js';
import type { Alert } from '../alert.js';
import type { Labels } from '../labels.js';
import type { Notifier } from '../notifiers/notifier.js';
import { notifierRegistry } from '../notifiers/registry.js';
import { type AlertChange, RuleEngine } from '../rules/engine.js';
import type { RuleGroup } from '../rules/model.js';
import { sourceRegistry } from '../sources/registry.js';
import type { Source } from '../sources/source.js';
import { MemorySeriesStore } from '../tsdb.js';
import { WatchMetrics } from './metrics-server.js';
import { ruleGroupsOf } from './plan.js';
import { type ScalingStatus, ServiceScaler } from './scaler.js';

/**
 * `shakedown watch` as a library: sources collect into one series store on their
 * intervals, rule groups are evaluated on theirs (recording, alerting, anomaly and SLO
 * rules), alert changes go to the notifiers and the automated responses, scalers decide
 * replica counts ahead of demand. Every loop stops when the signal aborts.
 */
export interface WatchOptions {
  section: WatchSection;
  baseDir: string;
  log: Logger;
  /** Where the console notifier writes. */
  out: { write(s: string): unknown };
  clock?: Clock;
  /** Every alert change (pending, firing, resolved), e.g. for JSON lines. */
  onAlert?: (change: AlertChange) => void;
  /** Every event of the run's timeline (alerts, actions, scaling). */
  onEvent?: (e: RunEvent) => void;
}

interface SourceState {
  source: Source;
  lastMs?: number;
  error?: string;
}

export class Watcher {
  readonly store = new MemorySeriesStore();
  readonly engine: RuleEngine;
  readonly groups: RuleGroup[];
  readonly startedAtMs: number;
  evaluations = 0;
  metricsUrl: string | undefined;
  private readonly clock: Clock;
  private readonly sources: SourceState[];
  private readonly notifiers: Array<{ type: string; n: Notifier }>;
  private readonly responder: Responder;
  private readonly scalers: ServiceScaler[];
  private readonly events: EventSink;
  private readonly metrics: WatchMetrics | undefined;

  constructor(private readonly o: WatchOptions) {
    this.clock = o.clock ?? systemClock;
    this.startedAtMs = this.clock.now();
    const s = o.section;
    this.events = { emit: (e) => o.onEvent?.(e) };
    this.groups = ruleGroupsOf(s, o.baseDir);
    this.engine = new RuleEngine(
      this.groups,
      this.store,
      s.externalLabels ? { externalLabels: s.externalLabels } : {},
    );
    const srcCtx = { store: this.store, clock: this.clock, log: o.log, intervalMs: s.interval };
    const sources = sourceRegistry();
    this.sources = s.sources.map((c) => ({ source: sources.get(c.type).create(c, srcCtx) }));
    const notifiers = notifierRegistry();
    const nctx = { clock: this.clock, log: o.log, out: o.out, evaluationIntervalMs: s.interval };
    this.notifiers = s.notifiers.map((c) => ({ type: c.type, n: notifiers.get(c.type).create(c, nctx) }));
    const actions = actionRegistry();
    const actx = { clock: this.clock, baseDir: o.baseDir };
    this.responder = new Responder(
      s.actions.map((a) => ({
        ...(a.alert ? { alert: a.alert } : {}),
        ...(a.match ? { match: a.match } : {}),
        on: a.on,
        cooldownMs: a.cooldown,
        run: a.run,
      })),
      actions,
      actx,
      this.events,
      this.clock,
    );
    this.scalers = s.scaling.map(
      (c) => new ServiceScaler(c, this.store, this.clock, this.events, actions, actx),
    );
    this.metrics = s.metricsListen ? new WatchMetrics(this.store, () => this.engine.firing()) : undefined;
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.metrics && this.o.section.metricsListen) {
      this.metricsUrl = await this.metrics.listen(this.o.section.metricsListen);
      this.o.log.info(`metrics at ${this.metricsUrl}`);
    }
    const loops: Array<Promise<void>> = [];
    for (const st of this.sources) {
      loops.push(
        this.every(st.source.intervalMs, signal, async () => {
          try {
            await st.source.collect(signal);
            st.lastMs = this.clock.now();
            delete st.error;
          } catch (e) {
            st.error = (e as Error).message;
            this.o.log.warn(`source ${st.source.name}: ${st.error}`);
          }
        }),
      );
    }
    for (const g of this.groups)
      loops.push(
        this.every(g.intervalMs ?? this.o.section.interval, signal, (now) => this.evaluate(g, now, signal)),
      );
    for (const sc of this.scalers) {
      loops.push(
        this.every(sc.config.interval ?? this.o.section.interval, signal, async (now) => {
          try {
            await sc.step(now, signal);
          } catch (e) {
            this.o.log.warn(`scaling ${sc.config.service}: ${(e as Error).message}`);
          }
        }),
      );
    }
    await Promise.all(loops);
    await Promise.allSettled(this.sources.map((s) => s.source.stop?.()));
    await this.responder.drain();
    await this.metrics?.close();
  }

  private async evaluate(group: RuleGroup, now: number, signal: AbortSignal): Promise<void> {
    const { changes, errors } = this.engine.evaluateGroup(group, now);
    this.evaluations++;
    for (const e of errors)
      this.o.log.warn(`rule ${e.rule} in group ${group.name}: ${(e.error as Error).message}`);
    const notify: Alert[] = [];
    for (const c of changes) {
      this.o.onAlert?.(c);
      this.events.emit({
        t: now,
        kind: `alert.${c.type}`,
        source: 'watch',
        subject: c.alert.labels.alertname ?? '',
        data: {
          labels: c.alert.labels,
          annotations: c.alert.annotations,
          value: c.alert.value,
          group: group.name,
        },
      });
      if (c.type !== 'pending') notify.push(c.alert);
    }
    if (notify.length > 0) this.responder.handle(notify, signal);
    const firing = this.engine.firing();
    await Promise.all(
      this.notifiers.map(async ({ type, n }) => {
        try {
          if (notify.length > 0) await n.notify(notify);
          await n.tick?.(firing);
        } catch (e) {
          this.o.log.warn(`notifier ${type}: ${(e as Error).message}`);
        }
      }),
    );
  }

  /** Calls `task` every `intervalMs` (measured from each start) until `signal` aborts. */
  private async every(
    intervalMs: number,
    signal: AbortSignal,
    task: (nowMs: number) => Promise<void>,
  ): Promise<void> {
    while (!signal.aborted) {
      const t0 = this.clock.now();
      await task(t0);
      const wait = Math.max(0, intervalMs - (this.clock.now() - t0));
      await this.clock.sleep(wait, signal);
    }
  }

  series(): number {
    return this.store.all().length;
  }

  sourceStatus(): Array<{ name: string; lastMs?: number; error?: string }> {
    return this.sources.map((s) => ({
      name: s.source.name,
      ...(s.lastMs !== undefined ? { lastMs: s.lastMs } : {}),
      ...(s.error ? { error: s.error } : {}),
    }));
  }

  anomalyScores(): Array<{ rule: string; labels: Labels; score: number }> {
    const now = this.clock.now();
    return this.store.select('shakedown_anomaly_score', [], now - 60_000, now + 1).map((s) => {
      const { rule, __name__: _, ...labels } = s.labels;
      return { rule: rule ?? '', labels, score: (s.samples[s.samples.length - 1] as { v: number }).v };
    });
  }

  scalingStatus(): ScalingStatus[] {
    return this.scalers.map((s) => s.status);
  }
}
