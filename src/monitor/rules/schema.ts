import { z } from 'zod';
import { isShakedownError } from '../../core/errors.js';
import { detectorRegistry } from '../../detect/registry.js';
import { durationMs, strictObject } from '../../spec/types.js';
import { parsePromql } from '../promql/parser.js';
import type { Rule, RuleGroup } from './model.js';
import { compileTemplate } from './template.js';

/**
 * The rule-file schema: Prometheus's (`groups:` of `record:` / `alert:` rules with
 * `expr`, `for`, `keep_firing_for`, `labels`, `annotations`) plus `anomaly:` rules with a
 * `detector` and a `threshold`. Expressions and templates are parsed here, so a bad one
 * is reported at its file:line:col before anything runs.
 */

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name such as severity');
const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a metric name such as job:errors:rate5m');

const promqlExpr = z
  .union([z.string(), z.number()], { error: () => 'expected a PromQL expression' })
  .transform((v, ctx) => {
    const text = String(v);
    try {
      return { text, expr: parsePromql(text) };
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: isShakedownError(e) ? e.message : String(e) });
      return z.NEVER;
    }
  });

const template = z.string().transform((v, ctx) => {
  try {
    return compileTemplate(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: isShakedownError(e) ? e.message : String(e) });
    return z.NEVER;
  }
});

const detectorTypes = () => detectorRegistry().types();

/** `detector: ensemble` or `{type, params, likelihood}`. */
export const detectorSpecSchema = z
  .union([
    z.string(),
    strictObject({
      type: z.string(),
      params: z.record(z.string(), z.number()).optional(),
      likelihood: z.union([z.boolean(), z.record(z.string(), z.number())]).optional(),
    }),
  ])
  .transform((v, ctx) => {
    const spec = typeof v === 'string' ? { type: v } : v;
    if (!detectorRegistry().has(spec.type)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown detector "${spec.type}"; expected one of ${detectorTypes().join(', ')}`,
      });
      return z.NEVER;
    }
    return spec;
  });

const ruleSchema = strictObject({
  record: metricName.optional(),
  alert: z.string().min(1).optional(),
  anomaly: z.string().min(1).optional(),
  expr: promqlExpr,
  for: durationMs.optional(),
  keep_firing_for: durationMs.optional(),
  labels: z.record(labelName, z.string()).optional(),
  annotations: z.record(z.string(), template).optional(),
  detector: detectorSpecSchema.optional(),
  threshold: z.number().min(0).max(1).optional(),
}).transform((r, ctx): Rule => {
  const kinds = (['record', 'alert', 'anomaly'] as const).filter((k) => r[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({ code: 'custom', message: 'a rule has exactly one of record:, alert: or anomaly:' });
    return z.NEVER;
  }
  const labels = r.labels ?? {};
  if (r.record !== undefined) {
    for (const k of ['for', 'keep_firing_for', 'annotations', 'detector', 'threshold'] as const) {
      if (r[k] !== undefined)
        ctx.addIssue({ code: 'custom', message: `a recording rule has no ${k}:`, path: [k] });
    }
    return { kind: 'record', record: r.record, exprText: r.expr.text, expr: r.expr.expr, labels };
  }
  const labelTemplates: Record<string, ReturnType<typeof compileTemplate>> = {};
  for (const [k, v] of Object.entries(labels)) {
    try {
      labelTemplates[k] = compileTemplate(v);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: isShakedownError(e) ? e.message : String(e),
        path: ['labels', k],
      });
    }
  }
  const common = {
    exprText: r.expr.text,
    expr: r.expr.expr,
    labels,
    labelTemplates,
    forMs: r.for ?? 0,
    keepFiringForMs: r.keep_firing_for ?? 0,
    annotations: r.annotations ?? {},
  };
  if (r.alert !== undefined) {
    for (const k of ['detector', 'threshold'] as const) {
      if (r[k] !== undefined)
        ctx.addIssue({ code: 'custom', message: `${k}: belongs to anomaly: rules`, path: [k] });
    }
    return { kind: 'alert', alert: r.alert, ...common };
  }
  return {
    kind: 'anomaly',
    alert: r.anomaly as string,
    detector: r.detector ?? { type: 'ensemble' },
    threshold: r.threshold ?? 0.9,
    ...common,
  };
});

export const ruleGroupSchema = strictObject({
  name: z.string().min(1),
  interval: durationMs.optional(),
  rules: z.array(ruleSchema),
}).transform(
  (g): RuleGroup => ({
    name: g.name,
    ...(g.interval !== undefined ? { intervalMs: g.interval } : {}),
    rules: g.rules,
  }),
);

/** A whole rule file (`groups:`), group names unique as Prometheus requires. */
export const ruleFileSchema = strictObject({ groups: z.array(ruleGroupSchema) }).superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.groups.forEach((g, i) => {
    if (seen.has(g.name))
      ctx.addIssue({
        code: 'custom',
        message: `duplicate group name "${g.name}"`,
        path: ['groups', i, 'name'],
      });
    seen.add(g.name);
  });
});
