import { z } from 'zod';
import { actionRegistry } from '../../monitor/actions/registry.js';
import { notifierRegistry } from '../../monitor/notifiers/registry.js';
import { ruleGroupSchema } from '../../monitor/rules/schema.js';
import { sloSchema } from '../../monitor/slo/schema.js';
import { sourceRegistry } from '../../monitor/sources/registry.js';
import { durationMs, fraction, strictObject } from '../types.js';

/**
 * The `watch:` section: what `shakedown watch` runs continuously — metric sources,
 * Prometheus-style rules (with anomaly rules), SLOs expanded into burn-rate alerts,
 * notifiers, automated responses and predictive scaling — and what `shakedown slo rules`
 * exports. Sources, notifiers and actions are checked against their registries' own
 * schemas, so a new type needs no change here.
 */
export function pluginConfig(family: string, types: () => string[], schemaOf: (type: string) => z.ZodType) {
  return z
    .looseObject({ type: z.string({ error: () => `expected type: one of ${types().join(', ')}` }) })
    .transform((v, ctx) => {
      if (!types().includes(v.type)) {
        ctx.addIssue({
          code: 'custom',
          path: ['type'],
          message: `unknown ${family} "${v.type}"; expected one of ${types().join(', ')}`,
        });
        return z.NEVER;
      }
      const r = schemaOf(v.type).safeParse(v);
      if (!r.success) {
        for (const issue of r.error.issues)
          ctx.addIssue({ ...issue, path: issue.path } as Parameters<typeof ctx.addIssue>[0]);
        return z.NEVER;
      }
      return r.data as { type: string } & Record<string, unknown>;
    });
}

const sources = sourceRegistry();
const notifiers = notifierRegistry();
const actions = actionRegistry();

export const sourceConfigSchema = pluginConfig(
  'source',
  () => sources.types(),
  (t) => sources.get(t).schema,
);
export const notifierConfigSchema = pluginConfig(
  'notifier',
  () => notifiers.types(),
  (t) => notifiers.get(t).schema,
);
export const actionConfigSchema = pluginConfig(
  'action',
  () => actions.types(),
  (t) => actions.get(t).schema,
);

/** An automated response: run an action when a matching alert fires (or resolves). */
export const responseSchema = strictObject({
  alert: z.string().optional(),
  match: z.record(z.string(), z.string()).optional(),
  on: z.enum(['firing', 'resolved']).default('firing'),
  cooldown: durationMs.default(300_000),
  run: actionConfigSchema,
});

/** Predictive scaling of one service from a request-rate query. */
export const scalingSchema = strictObject({
  service: z.string().min(1),
  /** PromQL giving the service's request rate (one series). */
  rate: z.string().min(1),
  targetPerReplica: z.number().positive(),
  headroom: fraction.default(0.1),
  tolerance: fraction.default(0.1),
  minReplicas: z.number().int().nonnegative().default(1),
  maxReplicas: z.number().int().positive().default(100),
  /** How far ahead capacity must be ready. */
  leadTime: durationMs.default(600_000),
  stabilization: durationMs.default(300_000),
  /** The length of a season (a day, or a compressed day in tests). */
  season: durationMs.default(86_400_000),
  interval: durationMs.optional(),
  /** Replicas when watch starts (until the action reports otherwise). */
  initialReplicas: z.number().int().positive().default(1),
  /** Scale through this action (usually type: scale); its replicas field is set per decision. */
  act: pluginConfig(
    'action',
    () => actions.types(),
    (t) => z.preprocess((v) => ({ replicas: 1, ...(v as object) }), actions.get(t).schema),
  ).optional(),
});

export const watchSectionSchema = strictObject({
  /** Default evaluation interval of rule groups and collection interval of sources. */
  interval: durationMs.default(15_000),
  externalLabels: z.record(z.string(), z.string()).optional(),
  sources: z.array(sourceConfigSchema).default([]),
  rules: strictObject({ groups: z.array(ruleGroupSchema) }).optional(),
  /** Prometheus rule files, relative to the spec. */
  ruleFiles: z.array(z.string()).optional(),
  slos: z.array(sloSchema).optional(),
  notifiers: z.array(notifierConfigSchema).default([{ type: 'console' }]),
  actions: z.array(responseSchema).default([]),
  scaling: z.array(scalingSchema).default([]),
  /** Serve the forecasts and alert counts as Prometheus metrics (for KEDA / HPA), e.g. 127.0.0.1:9464. */
  metricsListen: z
    .string()
    .regex(/^[\w.:[\]-]+:\d+$/, 'expected host:port such as 127.0.0.1:9464')
    .optional(),
});

export type WatchSection = z.output<typeof watchSectionSchema>;
