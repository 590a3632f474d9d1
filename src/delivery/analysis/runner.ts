import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { Registry } from '../../core/registry.js';
import type { Window } from '../../core/window.js';
import type { AnalysisMetricSpec, AnalysisSpec } from '../model.js';
import { assessAnalysis, assessMetric, noDataPhase } from './assess.js';
import { type Condition, judgeValue, parseCondition } from './condition.js';
import type { AnalysisResult, Measurement, MetricResult } from './model.js';
import type { MeasureContext, ProviderPlugin, Reading } from './providers/provider.js';
import { providerRegistry } from './providers/registry.js';

/**
 * Runs an analysis: every metric on its own loop — wait `initialDelay`, then measure each
 * `interval` over the period just ended (aligned to whole seconds, read once the mesh has
 * delivered that period's windows), `count` times — turning each provider reading into a
 * measurement (conditions, the explicit no-data policy; a thrown error is an `error`
 * measurement) and each metric's measurements into its phase with the pure
 * {@link assessMetric}. A failed or errored metric stops the others at once. The result is
 * the only thing the controller reads.
 */
export interface AnalysisRunContext {
  service: string;
  stableVersion: string;
  canaryVersion: string;
  windows(sinceMs: number, untilMs: number): Promise<Window[]>;
  clock: Clock;
  random: Random;
  baseDir: string;
  /** A second's windows arrive about this long after it ends; measurements wait for them. */
  windowLagMs: number;
  providers?: Registry<ProviderPlugin>;
  /** Each measurement as it is taken, with its metric's phase after it. */
  onMeasurement?(metric: string, m: Measurement, phase: MetricResult['phase']): void;
}

interface CompiledMetric {
  spec: AnalysisMetricSpec;
  plugin: ProviderPlugin;
  provider: ReturnType<ProviderPlugin['create']>;
  success?: Condition;
  failure?: Condition;
}

function compile(spec: AnalysisMetricSpec, providers: Registry<ProviderPlugin>): CompiledMetric {
  const plugin = providers.get(spec.provider.type);
  const successText = spec.successCondition ?? plugin.defaultSuccessCondition?.(spec.provider);
  return {
    spec,
    plugin,
    provider: plugin.create(spec.provider),
    ...(successText !== undefined ? { success: parseCondition(successText) } : {}),
    ...(spec.failureCondition !== undefined ? { failure: parseCondition(spec.failureCondition) } : {}),
  };
}

/** A reading → a measurement: conditions on values, the policy on no data. Pure. */
export function toMeasurement(
  reading: Reading,
  metric: Pick<CompiledMetric, 'success' | 'failure'> & { spec: Pick<AnalysisMetricSpec, 'noData'> },
  period: { startMs: number; endMs: number },
): Measurement {
  const base = { startMs: period.startMs, endMs: period.endMs };
  const detail = reading.detail === undefined ? {} : { detail: reading.detail };
  const noData = () => ({
    ...base,
    ...detail,
    phase: noDataPhase(metric.spec.noData),
    value: null,
    message: `no data (policy: ${metric.spec.noData}): ${reading.message}`,
  });
  if (reading.kind === 'no-data') return noData();
  if (reading.kind === 'phase') {
    if (reading.noData) return noData();
    const hasConditions = metric.success !== undefined || metric.failure !== undefined;
    if (hasConditions && reading.value !== null) {
      const j = judgeValue(reading.value, {
        ...(metric.success ? { success: metric.success } : {}),
        ...(metric.failure ? { failure: metric.failure } : {}),
      });
      return {
        ...base,
        ...detail,
        phase: j.phase,
        value: reading.value,
        message: `${j.message} (${reading.message})`,
      };
    }
    return { ...base, ...detail, phase: reading.phase, value: reading.value, message: reading.message };
  }
  const j = judgeValue(reading.value, {
    ...(metric.success ? { success: metric.success } : {}),
    ...(metric.failure ? { failure: metric.failure } : {}),
  });
  return {
    ...base,
    ...detail,
    phase: j.phase,
    value: reading.value,
    message: reading.message ? `${j.message} (${reading.message})` : j.message,
  };
}

/** Runs the analysis until it completes or `signal` aborts (then it completes with what it has). */
export async function runAnalysis(
  analysis: AnalysisSpec,
  ctx: AnalysisRunContext,
  signal: AbortSignal,
): Promise<AnalysisResult> {
  const startMs = ctx.clock.now();
  const providers = ctx.providers ?? providerRegistry();
  const metrics = analysis.metrics.map((m) => compile(m, providers));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal.aborted) stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const results = new Map<string, MetricResult>();
  try {
    await Promise.all(
      metrics.map(async (m) => {
        const r = await runMetric(m, ctx, stop.signal);
        results.set(m.spec.name, r);
        if (r.phase === 'failed' || r.phase === 'error') stop.abort();
      }),
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const list = analysis.metrics.map((m) => results.get(m.name) as MetricResult);
  const phase = assessAnalysis(list.map((r) => r.phase));
  const worst = list.find((r) => r.phase === phase && phase !== 'successful');
  return {
    name: analysis.name,
    phase,
    message:
      phase === 'successful'
        ? `all ${list.length} metric${list.length === 1 ? '' : 's'} successful`
        : `${worst?.name}: ${worst?.message}`,
    metrics: list,
    startMs,
    endMs: ctx.clock.now(),
  };
}

async function runMetric(
  m: CompiledMetric,
  ctx: AnalysisRunContext,
  signal: AbortSignal,
): Promise<MetricResult> {
  const { spec } = m;
  const limits = {
    count: spec.count,
    failureLimit: spec.failureLimit,
    inconclusiveLimit: spec.inconclusiveLimit,
    consecutiveErrorLimit: spec.consecutiveErrorLimit,
  };
  const measurements: Measurement[] = [];
  await ctx.clock.sleep(spec.initialDelayMs, signal);
  // Periods start on whole seconds, as the mesh's windows do (sub-second intervals: now).
  const align = spec.intervalMs >= 1000 ? 1000 : 1;
  let periodStart = Math.ceil(ctx.clock.now() / align) * align;
  for (let k = 0; k < spec.count && !signal.aborted; k++) {
    const periodEnd = periodStart + spec.intervalMs;
    await ctx.clock.sleep(periodEnd + ctx.windowLagMs - ctx.clock.now(), signal);
    if (signal.aborted) break;
    const measurement = await measureOnce(m, ctx, { startMs: periodStart, endMs: periodEnd }, signal);
    measurements.push(measurement);
    const r = assessMetric(spec.name, measurements, limits);
    ctx.onMeasurement?.(spec.name, measurement, r.phase);
    if (r.phase !== 'running') return r;
    periodStart = periodEnd;
  }
  return assessMetric(spec.name, measurements, limits, true);
}

async function measureOnce(
  m: CompiledMetric,
  ctx: AnalysisRunContext,
  period: { startMs: number; endMs: number },
  signal: AbortSignal,
): Promise<Measurement> {
  const mctx: MeasureContext = {
    service: ctx.service,
    stableVersion: ctx.stableVersion,
    canaryVersion: ctx.canaryVersion,
    startMs: period.startMs,
    endMs: period.endMs,
    windows: ctx.windows,
    random: ctx.random,
    signal,
    baseDir: ctx.baseDir,
  };
  try {
    return toMeasurement(await m.provider.measure(mctx), m, period);
  } catch (e) {
    return {
      ...period,
      phase: 'error',
      value: null,
      message: `${m.spec.provider.type}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}
