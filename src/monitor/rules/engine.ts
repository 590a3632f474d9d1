import type { Detector } from '../../detect/detector.js';
import { buildDetector } from '../../detect/registry.js';
import { type Alert, fingerprint } from '../alert.js';
import { type Labels, labelsKey } from '../labels.js';
import { evaluateVector } from '../promql/evaluate.js';
import { withoutName } from '../promql/values.js';
import type { MemorySeriesStore } from '../tsdb.js';
import { type ActiveSample, type AlertInstance, stepAlerts } from './alert-state.js';
import type { AlertingRule, AnomalyRule, Rule, RuleGroup } from './model.js';

/**
 * Evaluates rule groups over a series store: recording rules write their results back
 * into the store (so later rules can use them), alerting rules run the Prometheus alert
 * life cycle, anomaly rules feed each returned series to its own detector and alert
 * while the score is at or above the threshold (the score is also recorded as
 * `shakedown_anomaly_score{rule="…"}`). One engine per watch; state is per rule.
 */
export interface RuleEngineOptions {
  externalLabels?: Labels;
  lookbackMs?: number;
}

/** A change of an alert, with the alert as notifiers see it. */
export interface AlertChange {
  type: 'pending' | 'firing' | 'resolved';
  alert: Alert;
}

interface RuleState {
  alerts: Map<string, AlertInstance>;
  detectors: Map<string, Detector>;
}

export class RuleEngine {
  private readonly state = new Map<Rule, RuleState>();

  constructor(
    readonly groups: readonly RuleGroup[],
    private readonly store: MemorySeriesStore,
    private readonly o: RuleEngineOptions = {},
  ) {}

  /** Evaluates one group at `nowMs`; returns the alert changes. Errors of one rule do not stop the others. */
  evaluateGroup(
    group: RuleGroup,
    nowMs: number,
  ): { changes: AlertChange[]; errors: Array<{ rule: string; error: unknown }> } {
    const changes: AlertChange[] = [];
    const errors: Array<{ rule: string; error: unknown }> = [];
    for (const rule of group.rules) {
      try {
        if (rule.kind === 'record') {
          for (const s of this.vector(rule, nowMs)) {
            this.store.append(
              { ...withoutName(s.labels), ...rule.labels, __name__: rule.record },
              nowMs,
              s.value,
            );
          }
          continue;
        }
        const present =
          rule.kind === 'alert' ? this.alertSamples(rule, nowMs) : this.anomalySamples(rule, nowMs);
        const st = this.stateOf(rule);
        const r = stepAlerts(st.alerts, present, nowMs, rule.forMs, rule.keepFiringForMs);
        st.alerts = r.alerts;
        for (const t of r.transitions)
          changes.push({ type: t.type, alert: this.toAlert(group, rule, t.alert) });
      } catch (error) {
        errors.push({ rule: rule.kind === 'record' ? rule.record : rule.alert, error });
      }
    }
    return { changes, errors };
  }

  /** Alerts currently firing (for notifiers that re-send while firing). */
  firing(): Alert[] {
    const out: Alert[] = [];
    for (const g of this.groups) {
      for (const rule of g.rules) {
        if (rule.kind === 'record') continue;
        for (const a of this.stateOf(rule).alerts.values())
          if (a.state === 'firing') out.push(this.toAlert(g, rule, a));
      }
    }
    return out;
  }

  /** Every alert with its state (status views). */
  alerts(): Array<{ state: AlertInstance['state']; alert: Alert }> {
    const out: Array<{ state: AlertInstance['state']; alert: Alert }> = [];
    for (const g of this.groups) {
      for (const rule of g.rules) {
        if (rule.kind === 'record') continue;
        for (const a of this.stateOf(rule).alerts.values())
          out.push({ state: a.state, alert: this.toAlert(g, rule, a) });
      }
    }
    return out;
  }

  private stateOf(rule: Rule): RuleState {
    let st = this.state.get(rule);
    if (!st) {
      st = { alerts: new Map(), detectors: new Map() };
      this.state.set(rule, st);
    }
    return st;
  }

  private vector(rule: Rule, nowMs: number) {
    return evaluateVector(
      rule.expr,
      this.store,
      nowMs,
      this.o.lookbackMs !== undefined ? { lookbackMs: this.o.lookbackMs } : {},
    );
  }

  private alertSamples(rule: AlertingRule, nowMs: number): ActiveSample[] {
    return this.vector(rule, nowMs).map((s) => this.active(rule, withoutName(s.labels), s.value));
  }

  private anomalySamples(rule: AnomalyRule, nowMs: number): ActiveSample[] {
    const st = this.stateOf(rule);
    const out: ActiveSample[] = [];
    for (const s of this.vector(rule, nowMs)) {
      const labels = withoutName(s.labels);
      const key = labelsKey(labels);
      let d = st.detectors.get(key);
      if (!d) {
        d = buildDetector(rule.detector);
        st.detectors.set(key, d);
      }
      if (!Number.isFinite(s.value)) continue; // NaN (no traffic) is not evidence either way
      const score = d.update(nowMs, s.value);
      this.store.append({ ...labels, rule: rule.alert, __name__: 'shakedown_anomaly_score' }, nowMs, score);
      if (score >= rule.threshold) out.push(this.active(rule, labels, score));
    }
    return out;
  }

  private active(rule: AlertingRule | AnomalyRule, labels: Labels, value: number): ActiveSample {
    const data = {
      labels,
      value,
      ...(this.o.externalLabels ? { externalLabels: this.o.externalLabels } : {}),
    };
    const ruleLabels: Record<string, string> = {};
    for (const [k, t] of Object.entries(rule.labelTemplates)) ruleLabels[k] = t.render(data);
    const annotations: Record<string, string> = {};
    for (const [k, t] of Object.entries(rule.annotations)) annotations[k] = t.render(data);
    return { labels: { ...labels, ...ruleLabels, alertname: rule.alert }, annotations, value };
  }

  private toAlert(group: RuleGroup, rule: AlertingRule | AnomalyRule, a: AlertInstance): Alert {
    const labels = { ...this.o.externalLabels, ...a.labels };
    return {
      labels,
      annotations: a.annotations,
      status: a.state === 'inactive' ? 'resolved' : 'firing',
      value: a.value,
      startsAtMs: a.firedAtMs ?? a.activeAtMs,
      ...(a.resolvedAtMs !== undefined ? { endsAtMs: a.resolvedAtMs } : {}),
      group: group.name,
      kind: rule.kind,
      fingerprint: fingerprint(labels),
    };
  }
}
