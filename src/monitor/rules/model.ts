import type { DetectorSpec } from '../../detect/registry.js';
import type { Expr } from '../promql/ast.js';
import type { Template } from './template.js';

/**
 * Rules as evaluated: Prometheus's recording and alerting rules plus Shakedown's
 * `anomaly` rules (a streaming detector over each series an expression returns).
 */
interface RuleBase {
  exprText: string;
  expr: Expr;
  labels: Record<string, string>;
}

export interface RecordingRule extends RuleBase {
  kind: 'record';
  record: string;
}

export interface AlertingRule extends RuleBase {
  kind: 'alert';
  alert: string;
  forMs: number;
  keepFiringForMs: number;
  annotations: Record<string, Template>;
  /** Label values may be templates too (as in Prometheus). */
  labelTemplates: Record<string, Template>;
}

export interface AnomalyRule extends Omit<AlertingRule, 'kind'> {
  kind: 'anomaly';
  detector: DetectorSpec;
  /** A series is anomalous while its score is at least this. */
  threshold: number;
}

export type Rule = RecordingRule | AlertingRule | AnomalyRule;

export interface RuleGroup {
  name: string;
  /** Evaluation interval; the watch default when absent. */
  intervalMs?: number;
  rules: Rule[];
}
