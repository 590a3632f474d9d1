import { z } from 'zod';
import { ruleGroupSchema } from '../../monitor/rules/schema.js';
import { sloSchema } from '../../monitor/slo/schema.js';
import { durationMs, strictObject } from '../types.js';

/**
 * The `watch:` section: what `shakedown watch` runs continuously — metric sources,
 * Prometheus-style rules (with anomaly rules), SLOs expanded into burn-rate alerts,
 * notifiers, automated responses and predictive scaling — and what `shakedown slo rules`
 * exports.
 */
export const watchSectionSchema = strictObject({
  /** Default evaluation interval of rule groups. */
  interval: durationMs.default(15_000),
  externalLabels: z.record(z.string(), z.string()).optional(),
  rules: strictObject({ groups: z.array(ruleGroupSchema) }).optional(),
  /** Prometheus rule files, relative to the spec. */
  ruleFiles: z.array(z.string()).optional(),
  slos: z.array(sloSchema).optional(),
});

export type WatchSection = z.output<typeof watchSectionSchema>;
