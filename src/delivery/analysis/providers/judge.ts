import { z } from 'zod';
import { strictObject } from '../../../spec/types.js';
import { type BadDirection, defaultJudgeOptions } from '../../../stats/verdict.js';
import { defaultJudgeConfig, type JudgeConfig, judgeCanary } from '../judge.js';
import { versionSeconds } from '../seconds.js';
import { resolveVersion } from './mesh.js';
import type { ProviderPlugin, Reading } from './provider.js';

/**
 * The Kayenta-style canary judge as a provider: the canary's per-second values against
 * the baseline's over the measured period (the stable version, or a baseline version
 * started beside the canary), scored; pass is successful, marginal inconclusive, fail
 * failed, and no data is left to the analysis' no-data policy.
 */
const share = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n =
    typeof v === 'number' ? v : v.trim().endsWith('%') ? Number(v.trim().slice(0, -1)) / 100 : Number(v);
  if (!Number.isFinite(n) || n < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a share ≥ 0 such as 10% or 0.1, got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return n;
});

const metricSchema = strictObject({
  metric: z.string().min(1),
  group: z.string().min(1).optional(),
  direction: z.enum(['increase', 'decrease', 'either']).optional(),
  critical: z.boolean().optional(),
  dispersion: z.boolean().optional(),
  allowedIncrease: share.optional(),
  allowedDecrease: share.optional(),
});

const score = z.number().min(0).max(100);

const schema = strictObject({
  type: z.literal('judge'),
  /** `stable` (default) or the name of a baseline version started beside the canary. */
  baseline: z.string().min(1).default('stable'),
  metrics: z.array(metricSchema).min(1).optional(),
  groups: z.record(z.string(), z.number().nonnegative()).optional(),
  pass: score.default(defaultJudgeConfig.passScore),
  marginal: score.default(defaultJudgeConfig.marginalScore),
  confidence: z.number().gt(0.5).lt(1).default(defaultJudgeOptions.confidence),
  tolerance: share.default(defaultJudgeOptions.tolerance),
  minSamples: z.number().int().min(3).default(defaultJudgeConfig.minSamples),
  dispersionRatio: z.number().nonnegative().default(defaultJudgeOptions.dispersionRatio),
  /** Thin the side with more requests to the other's count each second (default true). */
  equalize: z.boolean().default(true),
  routes: z.array(z.string()).optional(),
});

export type JudgeProviderConfig = z.output<typeof schema>;

export function judgeConfigOf(c: JudgeProviderConfig): JudgeConfig {
  return {
    metrics: c.metrics
      ? c.metrics.map((m) => ({ ...m, ...(m.direction ? { direction: m.direction as BadDirection } : {}) }))
      : defaultJudgeConfig.metrics,
    groupWeights: c.groups ?? (c.metrics ? {} : defaultJudgeConfig.groupWeights),
    passScore: c.pass,
    marginalScore: Math.min(c.marginal, c.pass),
    confidence: c.confidence,
    tolerance: c.tolerance,
    minSamples: c.minSamples,
    dispersionRatio: c.dispersionRatio,
  };
}

export const judgeProvider: ProviderPlugin<JudgeProviderConfig> = {
  summary:
    'Kayenta-style canary judge: canary vs baseline per second (Mann-Whitney, Hodges-Lehmann), scored 0–100',
  schema,
  create: (c) => {
    const config = judgeConfigOf(c);
    return {
      measure: async (ctx): Promise<Reading> => {
        const baselineVersion = resolveVersion(c.baseline, ctx);
        const windows = await ctx.windows(ctx.startMs, ctx.endMs);
        const s = versionSeconds(windows, {
          service: ctx.service,
          baselineVersion,
          canaryVersion: ctx.canaryVersion,
          startMs: ctx.startMs,
          endMs: ctx.endMs,
          equalize: c.equalize,
          random: ctx.random,
          ...(c.routes ? { routes: c.routes } : {}),
        });
        const j = judgeCanary(s.baseline, s.canary, config);
        const detail = { ...j, baselineVersion, requests: s.requests, seconds: s.seconds };
        if (j.verdict === 'no-data')
          return {
            kind: 'phase',
            phase: 'inconclusive',
            value: null,
            message: j.message,
            detail,
            noData: true,
          };
        return {
          kind: 'phase',
          phase: j.verdict === 'pass' ? 'successful' : j.verdict === 'marginal' ? 'inconclusive' : 'failed',
          value: j.score,
          message: `${j.verdict}: ${j.message}`,
          detail,
        };
      },
    };
  },
};
