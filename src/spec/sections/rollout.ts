import { z } from 'zod';
import { parseCondition } from '../../delivery/analysis/condition.js';
import { providerRegistry } from '../../delivery/analysis/providers/registry.js';
import { durationMs, fraction, nonNegativeInt, positiveInt, ratePerSec, strictObject } from '../types.js';
import { notifierConfigSchema, pluginConfig } from './watch.js';

/**
 * The `rollout:` section: per service, how `shakedown rollout start` moves it to a new
 * version — a canary with Argo-Rollouts-style steps (setWeight, pause, analysis,
 * setHeaderRoute, setMirror) or blue-green (preview by header or mirror, pre- and
 * post-promotion analysis, switch, scale-down delay) — and the analyses the steps run:
 * metrics from providers (the canary judge, the mesh's windows, Prometheus, a web check, a
 * command) with Argo's limits and an explicit no-data policy. Providers are checked
 * against their registry's own schemas.
 */
const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'expected a name of lower-case letters, digits and "-", such as v2');

const metricName = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]{0,62}$/, 'expected a metric name of letters, digits, ".", "_" and "-"');

const providers = providerRegistry();

export const providerConfigSchema = pluginConfig(
  'metric provider',
  () => providers.types(),
  (t) => providers.get(t).schema,
);

const condition = z.string().superRefine((v, ctx) => {
  try {
    parseCondition(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const noData = z.enum(['pass', 'fail', 'inconclusive'], {
  error: () => 'expected noData: pass, fail or inconclusive',
});

/** The limits and timing a metric has, settable on the metric, the step or the template. */
const limits = {
  interval: durationMs.optional(),
  count: positiveInt.optional(),
  initialDelay: durationMs.optional(),
  failureLimit: nonNegativeInt.optional(),
  inconclusiveLimit: nonNegativeInt.optional(),
  consecutiveErrorLimit: nonNegativeInt.optional(),
  noData: noData.optional(),
};

export const analysisMetricSchema = strictObject({
  name: metricName,
  provider: providerConfigSchema,
  successCondition: condition.optional(),
  failureCondition: condition.optional(),
  ...limits,
});

export const analysisTemplateSchema = strictObject({
  ...limits,
  metrics: z.array(analysisMetricSchema).min(1, 'expected at least one metric'),
});

/** An analysis step: templates by name and / or metrics of its own, with limits for all. */
export const analysisRefSchema = strictObject({
  templates: z.array(name).optional(),
  metrics: z.array(analysisMetricSchema).optional(),
  ...limits,
}).superRefine((v, ctx) => {
  if (!v.templates?.length && !v.metrics?.length)
    ctx.addIssue({ code: 'custom', message: 'expected templates: [NAME…] and / or metrics: […]' });
});

export const headerRouteSchema = strictObject({
  header: z.string().min(1).optional(),
  cookie: z.string().min(1).optional(),
  equals: z.string().optional(),
  matches: z.string().optional(),
  present: z.boolean().optional(),
}).superRefine((v, ctx) => {
  if ((v.header === undefined) === (v.cookie === undefined))
    ctx.addIssue({ code: 'custom', message: 'expected exactly one of header, cookie' });
  const tests = [v.equals, v.matches, v.present].filter((x) => x !== undefined).length;
  if (tests !== 1)
    ctx.addIssue({ code: 'custom', message: 'expected exactly one of equals, matches, present' });
  if (v.matches !== undefined) {
    try {
      new RegExp(v.matches);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(e as Error).message}` });
    }
  }
});

const weight = z
  .number({ error: () => 'expected a weight in percent, 0–100' })
  .min(0, 'expected a weight in percent, 0–100')
  .max(100, 'expected a weight in percent, 0–100');

const stepKeys = ['setWeight', 'pause', 'analysis', 'setHeaderRoute', 'setMirror'] as const;

const stepObject = strictObject({
  setWeight: weight.optional(),
  pause: strictObject({ duration: durationMs.optional() }).optional(),
  analysis: analysisRefSchema.optional(),
  /** false removes the header route. */
  setHeaderRoute: z.union([z.literal(false), headerRouteSchema]).optional(),
  /** false (or percentage 0) stops mirroring. */
  setMirror: z.union([z.literal(false), strictObject({ percentage: fraction })]).optional(),
});

/** A step: exactly one of its keys (a step with unknown keys gets the allowed keys listed instead). */
export const stepSchema = z
  .unknown()
  .superRefine((raw, ctx) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return;
    const keys = Object.keys(raw);
    const given = keys.filter((k) => (stepKeys as readonly string[]).includes(k));
    if (given.length !== keys.length || given.length === 1) return;
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one of ${stepKeys.join(', ')} in a step${given.length ? `, got ${given.join(' and ')}` : ''}`,
    });
  })
  .pipe(stepObject);

export const loadDuringSchema = strictObject({
  scenario: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  listener: z.string().min(1).optional(),
  rate: ratePerSec.optional(),
  vus: positiveInt.optional(),
  maxVus: positiveInt.optional(),
  headers: z.record(z.string(), z.string()).default({}),
  workers: positiveInt.default(1),
}).superRefine((v, ctx) => {
  if ((v.scenario === undefined) === (v.url === undefined))
    ctx.addIssue({ code: 'custom', message: 'expected exactly one of scenario (of the load: section), url' });
  if (v.scenario !== undefined && (v.rate !== undefined || v.vus !== undefined))
    ctx.addIssue({ code: 'custom', message: 'rate and vus go with url; a scenario has its own' });
});

export const rolloutSchema = strictObject({
  /** The version to roll out. */
  version: name,
  stableVersion: name.optional(),
  replicas: positiveInt.optional(),
  routes: z.array(z.string()).optional(),
  progressDeadline: durationMs.default(600_000),
  scaleDownDelay: durationMs.default(30_000),
  abortScaleDownDelay: durationMs.default(30_000),
  analyses: z.record(name, analysisTemplateSchema).default({}),
  load: loadDuringSchema.optional(),
  notifiers: z.array(notifierConfigSchema).default([]),
  canary: strictObject({
    steps: z.array(stepSchema).min(1, 'expected at least one step'),
    analysis: analysisRefSchema.optional(),
  }).optional(),
  blueGreen: strictObject({
    previewRoute: z
      .union([z.literal(false), headerRouteSchema])
      .default({ header: 'x-preview', equals: '1' }),
    previewMirror: fraction.default(0),
    prePromotionAnalysis: analysisRefSchema.optional(),
    postPromotionAnalysis: analysisRefSchema.optional(),
    autoPromotion: z.boolean().default(true),
    autoPromotionDelay: durationMs.default(0),
  }).optional(),
}).superRefine((v, ctx) => {
  if ((v.canary === undefined) === (v.blueGreen === undefined))
    ctx.addIssue({ code: 'custom', message: 'expected exactly one strategy: canary or blueGreen' });
  if (v.stableVersion === v.version)
    ctx.addIssue({
      code: 'custom',
      path: ['stableVersion'],
      message: 'the stable version is the one rolled out',
    });
  const known = Object.keys(v.analyses);
  const refs: Array<[PropertyKey[], { templates?: string[] } | undefined]> = [
    ...(v.canary?.steps ?? []).map((s, i): [PropertyKey[], { templates?: string[] } | undefined] => [
      ['canary', 'steps', i, 'analysis'],
      s.analysis,
    ]),
    [['canary', 'analysis'], v.canary?.analysis],
    [['blueGreen', 'prePromotionAnalysis'], v.blueGreen?.prePromotionAnalysis],
    [['blueGreen', 'postPromotionAnalysis'], v.blueGreen?.postPromotionAnalysis],
  ];
  for (const [path, ref] of refs) {
    (ref?.templates ?? []).forEach((t, i) => {
      if (!known.includes(t))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'templates', i],
          message: `no analysis template "${t}"; ${known.length ? `templates: ${known.join(', ')}` : 'define it under analyses:'}`,
        });
    });
  }
});

export const rolloutSectionSchema = z.record(name, rolloutSchema);

export type RolloutSection = z.output<typeof rolloutSectionSchema>;
export type RolloutEntry = z.output<typeof rolloutSchema>;
export type AnalysisRef = z.output<typeof analysisRefSchema>;
export type AnalysisTemplate = z.output<typeof analysisTemplateSchema>;

interface SpecShape {
  rollout?: Record<string, { version: string; stableVersion?: string; load?: { scenario?: string } }>;
  services?: Record<string, { versions?: Record<string, unknown> }>;
  mesh?: { services?: Record<string, unknown> };
  load?: { scenarios?: Record<string, unknown> };
}

/** Cross-section checks: the service is run (services:) behind the mesh, its versions exist. */
export function rolloutCrossReferences(spec: SpecShape, ctx: z.RefinementCtx): void {
  for (const [service, r] of Object.entries(spec.rollout ?? {})) {
    const at = (...p: PropertyKey[]) => ['rollout', service, ...p];
    const svc = spec.services?.[service];
    if (!svc) {
      ctx.addIssue({
        code: 'custom',
        path: at(),
        message: `no service "${service}" in services:; services: ${Object.keys(spec.services ?? {}).join(', ') || '(none)'}`,
      });
      continue;
    }
    if (spec.mesh && !spec.mesh.services?.[service])
      ctx.addIssue({ code: 'custom', path: at(), message: `service "${service}" is not in mesh.services` });
    const versions = Object.keys(svc.versions ?? { v1: {} });
    for (const [key, v] of [
      ['version', r.version],
      ['stableVersion', r.stableVersion],
    ] as const) {
      if (v !== undefined && !versions.includes(v))
        ctx.addIssue({
          code: 'custom',
          path: at(key),
          message: `service "${service}" has no version "${v}" in services:; versions: ${versions.join(', ')}`,
        });
    }
    const scenario = r.load?.scenario;
    if (scenario !== undefined && !spec.load?.scenarios?.[scenario])
      ctx.addIssue({
        code: 'custom',
        path: at('load', 'scenario'),
        message: `no scenario "${scenario}" in load.scenarios`,
      });
  }
}
