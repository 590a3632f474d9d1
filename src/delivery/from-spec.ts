import { usageError } from '../core/errors.js';
import type {
  AnalysisRef,
  AnalysisTemplate,
  RolloutEntry,
  RolloutSection,
} from '../spec/sections/rollout.js';
import { defaultMetricLimits, type NoDataPolicy } from './analysis/model.js';
import type {
  AnalysisMetricSpec,
  AnalysisSpec,
  HeaderRoute,
  LoadDuring,
  RolloutSpec,
  Step,
} from './model.js';

/**
 * A validated `rollout:` entry → the {@link RolloutSpec} the controller runs. Analysis
 * steps are resolved here: the templates' metrics and the step's own, each metric's
 * interval, count and limits taken from the metric, else the step, else its template,
 * else the defaults (10 s, 1 measurement, Argo's limits, no data inconclusive).
 */
export const defaultAnalysisIntervalMs = 10_000;

type Limits = Partial<
  Pick<
    AnalysisTemplate,
    | 'interval'
    | 'count'
    | 'initialDelay'
    | 'failureLimit'
    | 'inconclusiveLimit'
    | 'consecutiveErrorLimit'
    | 'noData'
  >
>;

function resolveMetric(m: AnalysisTemplate['metrics'][number], ...layers: Limits[]): AnalysisMetricSpec {
  const pick = <K extends keyof Limits>(k: K): Limits[K] => {
    if (m[k] !== undefined) return m[k] as Limits[K];
    for (const l of layers) if (l[k] !== undefined) return l[k];
    return undefined;
  };
  return {
    name: m.name,
    provider: m.provider,
    intervalMs: pick('interval') ?? defaultAnalysisIntervalMs,
    count: pick('count') ?? 1,
    initialDelayMs: pick('initialDelay') ?? 0,
    ...(m.successCondition !== undefined ? { successCondition: m.successCondition } : {}),
    ...(m.failureCondition !== undefined ? { failureCondition: m.failureCondition } : {}),
    failureLimit: pick('failureLimit') ?? defaultMetricLimits.failureLimit,
    inconclusiveLimit: pick('inconclusiveLimit') ?? defaultMetricLimits.inconclusiveLimit,
    consecutiveErrorLimit: pick('consecutiveErrorLimit') ?? defaultMetricLimits.consecutiveErrorLimit,
    noData: (pick('noData') as NoDataPolicy | undefined) ?? 'inconclusive',
  };
}

/** Resolves an analysis reference against the entry's templates. */
export function resolveAnalysis(ref: AnalysisRef, templates: Record<string, AnalysisTemplate>): AnalysisSpec {
  const metrics: AnalysisMetricSpec[] = [];
  for (const t of ref.templates ?? []) {
    const template = templates[t];
    if (!template) throw usageError('E_ROLLOUT_TEMPLATE', `no analysis template "${t}"`);
    for (const m of template.metrics) metrics.push(resolveMetric(m, ref, template));
  }
  for (const m of ref.metrics ?? []) metrics.push(resolveMetric(m, ref));
  const names = metrics.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw usageError('E_ROLLOUT_TEMPLATE', `metric "${dup}" appears twice in one analysis`);
  return { name: ref.templates?.length ? ref.templates.join('+') : 'inline', metrics };
}

function headerRoute(h: {
  header?: string | undefined;
  cookie?: string | undefined;
  equals?: string | undefined;
  matches?: string | undefined;
  present?: boolean | undefined;
}): HeaderRoute {
  const out: HeaderRoute = {};
  if (h.header !== undefined) out.header = h.header.toLowerCase();
  if (h.cookie !== undefined) out.cookie = h.cookie;
  if (h.equals !== undefined) out.equals = h.equals;
  if (h.matches !== undefined) out.matches = h.matches;
  if (h.present !== undefined) out.present = h.present;
  return out;
}

function load(l: NonNullable<RolloutEntry['load']>): LoadDuring {
  return {
    ...(l.scenario !== undefined ? { scenario: l.scenario } : {}),
    ...(l.url !== undefined ? { url: l.url } : {}),
    ...(l.listener !== undefined ? { listener: l.listener } : {}),
    ...(l.rate !== undefined ? { ratePerSec: l.rate } : {}),
    ...(l.vus !== undefined ? { vus: l.vus } : {}),
    ...(l.maxVus !== undefined ? { maxVus: l.maxVus } : {}),
    headers: l.headers,
    workers: l.workers,
  };
}

/** One service's rollout from the spec. */
export function rolloutFromEntry(service: string, e: RolloutEntry): RolloutSpec {
  const analysis = (ref: AnalysisRef) => resolveAnalysis(ref, e.analyses);
  let strategy: RolloutSpec['strategy'];
  if (e.canary) {
    const steps: Step[] = e.canary.steps.map((s): Step => {
      if (s.setWeight !== undefined) return { kind: 'setWeight', weight: s.setWeight };
      if (s.pause !== undefined) return { kind: 'pause', durationMs: s.pause.duration ?? null };
      if (s.analysis !== undefined) return { kind: 'analysis', analysis: analysis(s.analysis) };
      if (s.setHeaderRoute !== undefined)
        return {
          kind: 'setHeaderRoute',
          match: s.setHeaderRoute === false ? null : headerRoute(s.setHeaderRoute),
        };
      return {
        kind: 'setMirror',
        fraction: s.setMirror === false || s.setMirror === undefined ? 0 : s.setMirror.percentage,
      };
    });
    strategy = {
      type: 'canary',
      steps,
      ...(e.canary.analysis ? { background: analysis(e.canary.analysis) } : {}),
    };
  } else {
    const bg = e.blueGreen as NonNullable<RolloutEntry['blueGreen']>;
    strategy = {
      type: 'blueGreen',
      previewRoute: bg.previewRoute === false ? null : headerRoute(bg.previewRoute),
      previewMirror: bg.previewMirror,
      ...(bg.prePromotionAnalysis ? { prePromotion: analysis(bg.prePromotionAnalysis) } : {}),
      ...(bg.postPromotionAnalysis ? { postPromotion: analysis(bg.postPromotionAnalysis) } : {}),
      autoPromotion: bg.autoPromotion,
      autoPromotionDelayMs: bg.autoPromotionDelay,
    };
  }
  return {
    service,
    version: e.version,
    ...(e.stableVersion !== undefined ? { stableVersion: e.stableVersion } : {}),
    ...(e.replicas !== undefined ? { replicas: e.replicas } : {}),
    ...(e.routes !== undefined ? { routes: e.routes } : {}),
    strategy,
    progressDeadlineMs: e.progressDeadline,
    scaleDownDelayMs: e.scaleDownDelay,
    abortScaleDownDelayMs: e.abortScaleDownDelay,
    ...(e.load ? { load: load(e.load) } : {}),
    notifiers: e.notifiers,
  };
}

/** The rollout of `service` from a spec's section, with a clear error when there is none. */
export function rolloutFromSection(section: RolloutSection | undefined, service: string): RolloutSpec {
  const e = section?.[service];
  if (!e) {
    const known = Object.keys(section ?? {});
    throw usageError(
      'E_ROLLOUT_UNKNOWN',
      `the spec has no rollout for "${service}"`,
      known.length
        ? `rollouts: ${known.join(', ')}`
        : 'add a rollout: section, or give --version and the strategy as flags',
    );
  }
  return rolloutFromEntry(service, e);
}
