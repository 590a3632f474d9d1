import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { EventSink } from '../../core/event.js';
import type { Registry } from '../../core/registry.js';
import type { scalingSchema } from '../../spec/sections/watch.js';
import type { ActionContext, ActionPlugin, ActionRunner } from '../actions/action.js';
import { fingerprint } from '../alert.js';
import { evaluateVector } from '../promql/evaluate.js';
import { parsePromql } from '../promql/parser.js';
import { SeasonalForecaster } from '../scaling/forecast.js';
import { type Recommendation, recommendReplicas, type ScalingPolicy } from '../scaling/recommend.js';
import type { MemorySeriesStore } from '../tsdb.js';

/**
 * Predictive scaling inside `watch`: each interval the service's request rate is read
 * from the store, fed to its seasonal forecaster, and the replica count for the peak
 * forecast over the lead time is decided by the HPA rules. The forecast and the
 * recommendation are written back as `shakedown_forecast_rps{service}` and
 * `shakedown_recommended_replicas{service}` (and exported on the metrics endpoint for
 * KEDA / HPA users); when an `act` action is set, a changed count is applied through it
 * and the outcome recorded as a `scaling.scaled` / `scaling.failed` event.
 */
type ScalingConfig = z.output<typeof scalingSchema>;

export interface ScalingStatus {
  service: string;
  rate: number;
  forecastPeak: number;
  replicas: number;
  recommendation: Recommendation | undefined;
}

export class ServiceScaler {
  private readonly forecaster: SeasonalForecaster;
  private readonly expr;
  private readonly policy: ScalingPolicy;
  private readonly history: Array<{ t: number; replicas: number }> = [];
  private replicas: number;
  private readonly runAct:
    | ((replicas: number, signal: AbortSignal) => Promise<{ ok: boolean; detail: string }>)
    | undefined;
  status: ScalingStatus;

  constructor(
    readonly config: ScalingConfig,
    private readonly store: MemorySeriesStore,
    private readonly clock: Clock,
    private readonly events: EventSink,
    actions: Registry<ActionPlugin>,
    actionCtx: ActionContext,
  ) {
    this.expr = parsePromql(config.rate);
    this.forecaster = new SeasonalForecaster({ seasonMs: config.season, alpha: 0.2, gamma: 0.3 });
    this.policy = {
      targetPerReplica: config.targetPerReplica,
      headroom: config.headroom,
      tolerance: config.tolerance,
      minReplicas: config.minReplicas,
      maxReplicas: config.maxReplicas,
      stabilizationMs: config.stabilization,
    };
    this.replicas = config.initialReplicas;
    this.status = {
      service: config.service,
      rate: Number.NaN,
      forecastPeak: Number.NaN,
      replicas: this.replicas,
      recommendation: undefined,
    };
    const act = config.act;
    if (act) {
      const plugin = actions.get(act.type);
      const runners = new Map<number, ActionRunner>();
      this.runAct = async (replicas, signal) => {
        let runner = runners.get(replicas);
        if (!runner) {
          runner = plugin.create(plugin.schema.parse({ ...act, replicas }), actionCtx);
          runners.set(replicas, runner);
        }
        const labels = { alertname: 'PredictiveScaling', service: config.service };
        return runner.run(
          {
            labels,
            annotations: {},
            status: 'firing',
            value: replicas,
            startsAtMs: this.clock.now(),
            group: 'scaling',
            kind: 'alert',
            fingerprint: fingerprint(labels),
          },
          signal,
        );
      };
    }
  }

  /** One decision at `nowMs`. */
  async step(nowMs: number, signal: AbortSignal): Promise<void> {
    const [sample] = evaluateVector(this.expr, this.store, nowMs);
    if (!sample || !Number.isFinite(sample.value)) return;
    this.forecaster.observe(nowMs, sample.value);
    const peak = this.forecaster.peak(this.config.leadTime);
    const rec = recommendReplicas(peak, this.replicas, this.policy, this.history, nowMs);
    this.history.push({ t: nowMs, replicas: rec.desired });
    while (
      this.history.length > 0 &&
      nowMs - (this.history[0] as { t: number }).t > this.policy.stabilizationMs
    )
      this.history.shift();
    const labels = { service: this.config.service };
    if (Number.isFinite(peak))
      this.store.append({ ...labels, __name__: 'shakedown_forecast_rps' }, nowMs, peak);
    this.store.append({ ...labels, __name__: 'shakedown_recommended_replicas' }, nowMs, rec.replicas);
    if (rec.replicas !== this.replicas) {
      const from = this.replicas;
      let ok = true;
      let detail = 'recommendation only (no act: action)';
      if (this.runAct) ({ ok, detail } = await this.runAct(rec.replicas, signal));
      if (ok) this.replicas = rec.replicas;
      this.events.emit({
        t: this.clock.now(),
        kind: !this.runAct ? 'scaling.recommended' : ok ? 'scaling.scaled' : 'scaling.failed',
        source: 'watch',
        subject: this.config.service,
        data: {
          from,
          to: rec.replicas,
          forecastPeakRps: peak,
          rateRps: sample.value,
          reason: rec.reason,
          detail,
        },
      });
    }
    this.status = {
      service: this.config.service,
      rate: sample.value,
      forecastPeak: peak,
      replicas: this.replicas,
      recommendation: rec,
    };
  }
}
