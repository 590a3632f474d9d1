import { usageError } from '../core/errors.js';
import type { LoadSection, RequestSpec, ScenarioSpec, ThinkSpec } from '../spec/sections/load.js';
import { toPerSec } from '../spec/types.js';
import { defaultMaxQueue, defaultPreAllocatedVus, defaultWorkers } from './defaults.js';
import { loadFeed } from './feed.js';
import type {
  LoadConfig,
  RequestConfig,
  ScenarioConfig,
  StageConfig,
  ThinkConfig,
  ThresholdConfig,
} from './model.js';
import { shapeStages } from './shapes.js';
import { peakTarget } from './stages.js';

/**
 * Turns a validated `load:` section into a LoadConfig: relative URLs resolved against
 * `baseUrl`, shapes expanded to stages, data files read, defaults filled in.
 */
export interface FromSpecOptions {
  /** Directory that relative data-file paths resolve against. */
  baseDir: string;
  /** Overrides the section's baseUrl (for example the address of a locally started mesh). */
  baseUrl?: string;
  workers?: number;
  seed?: number;
}

export function loadConfigFromSpec(section: LoadSection, opts: FromSpecOptions): LoadConfig {
  const baseUrl = opts.baseUrl ?? section.baseUrl;
  const scenarios = Object.entries(section.scenarios).map(([name, s]) =>
    scenarioConfig(name, s, baseUrl, section.timeout, opts.baseDir),
  );
  if (scenarios.length === 0) throw usageError('E_NO_SCENARIOS', 'the load section has no scenarios');
  const zones = (section.zones ?? []).map((z) => ({
    name: z.name,
    share: z.share,
    latencyMs: z.latency,
    jitterMs: z.jitter,
    loss: z.loss,
  }));
  for (const s of scenarios) {
    for (const z of s.zones) {
      if (!zones.some((k) => k.name === z)) {
        throw usageError(
          'E_ZONE',
          `scenario "${s.name}" uses zone "${z}", which is not defined in load.zones`,
        );
      }
    }
  }
  return {
    scenarios,
    zones,
    thresholds: thresholdConfigs(section.thresholds ?? {}),
    workers: opts.workers ?? section.workers ?? defaultWorkers(),
    seed: opts.seed ?? section.seed ?? Date.now() & 0x7fffffff,
    allowRemote: section.allowRemote,
  };
}

export function thresholdConfigs(spec: NonNullable<LoadSection['thresholds']>): ThresholdConfig[] {
  return Object.entries(spec).flatMap(([metric, v]) =>
    (Array.isArray(v) ? v : [v]).map((item) =>
      typeof item === 'string'
        ? { metric, expr: item, abortOnFail: false, delayAbortEvalMs: 0 }
        : {
            metric,
            expr: item.threshold,
            abortOnFail: item.abortOnFail,
            delayAbortEvalMs: item.delayAbortEval,
          },
    ),
  );
}

export function thinkConfig(t: ThinkSpec | undefined): ThinkConfig {
  if (t === undefined) return { type: 'none' };
  if (typeof t === 'number') return t > 0 ? { type: 'constant', valueMs: t } : { type: 'none' };
  switch (t.type) {
    case 'constant':
      return { type: 'constant', valueMs: t.value };
    case 'uniform':
      if (t.max < t.min) throw usageError('E_THINK', 'uniform think time needs min ≤ max');
      return { type: 'uniform', minMs: t.min, maxMs: t.max };
    case 'exponential':
      return t.max === undefined
        ? { type: 'exponential', meanMs: t.mean }
        : { type: 'exponential', meanMs: t.mean, maxMs: t.max };
  }
}

function resolveUrl(url: string, baseUrl: string | undefined, where: string): string {
  if (/^https?:\/\//.test(url)) return url;
  if (url.startsWith('{{')) return url;
  if (!baseUrl) {
    throw usageError(
      'E_URL',
      `${where} has the relative URL "${url}" but load.baseUrl is not set`,
      'set load.baseUrl or write an absolute URL',
    );
  }
  return baseUrl.replace(/\/+$/, '') + (url.startsWith('/') ? url : `/${url}`);
}

export function requestConfig(
  r: RequestSpec,
  baseUrl: string | undefined,
  defaultTimeoutMs: number,
  where: string,
): RequestConfig {
  const url = resolveUrl(r.url, baseUrl, where);
  const bodyIsJson = r.body !== undefined && typeof r.body !== 'string';
  return {
    name: r.name ?? `${r.method} ${r.url}`,
    weight: r.weight,
    method: r.method,
    url,
    headers: r.headers ?? {},
    ...(r.body !== undefined ? { body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}),
    bodyIsJson,
    expect: r.expect === undefined ? [] : Array.isArray(r.expect) ? r.expect : [r.expect],
    checks: (r.checks ?? []).map((c, i) => ({
      name: c.name ?? describeCheck(c, i),
      ...(c.status !== undefined ? { status: Array.isArray(c.status) ? c.status : [c.status] } : {}),
      ...(c.header !== undefined ? { header: c.header } : {}),
      ...(c.body !== undefined ? { body: c.body } : {}),
      ...(c.json !== undefined ? { json: c.json } : {}),
      ...(c.equals !== undefined ? { equals: c.equals } : {}),
      ...(c.contains !== undefined ? { contains: c.contains } : {}),
      ...(c.matches !== undefined ? { matches: c.matches } : {}),
      ...(c.exists !== undefined ? { exists: c.exists } : {}),
      ...(c.maxDuration !== undefined ? { maxDurationMs: c.maxDuration } : {}),
    })),
    timeoutMs: r.timeout ?? defaultTimeoutMs,
  };
}

function describeCheck(c: NonNullable<RequestSpec['checks']>[number], i: number): string {
  if (c.status !== undefined) return `status is ${Array.isArray(c.status) ? c.status.join('|') : c.status}`;
  if (c.header !== undefined) return `header ${c.header}`;
  if (c.json !== undefined) return `json ${c.json}`;
  if (c.body) return 'body';
  if (c.maxDuration !== undefined) return `duration ≤ ${c.maxDuration}ms`;
  return `check ${i + 1}`;
}

function stagesOf(
  s: { stages?: Array<{ duration: number; target: number }>; shape?: Parameters<typeof shapeStages>[0] },
  where: string,
): StageConfig[] {
  if (s.stages && s.shape) throw usageError('E_STAGES', `${where} has both stages and shape; give one`);
  if (s.shape) return shapeStages(s.shape);
  if (s.stages) return s.stages.map((st) => ({ durationMs: st.duration, target: st.target }));
  throw usageError('E_STAGES', `${where} needs stages or a shape`);
}

function scenarioConfig(
  name: string,
  s: ScenarioSpec,
  baseUrl: string | undefined,
  timeoutMs: number,
  baseDir: string,
): ScenarioConfig {
  const where = `scenario "${name}"`;
  const base = {
    name,
    startTimeMs: s.startTime,
    gracefulStopMs: s.gracefulStop,
    think: thinkConfig(s.think),
    requests: s.requests.map((r, i) =>
      requestConfig(r, baseUrl, timeoutMs, `${where} request ${r.name ?? i + 1}`),
    ),
    ...(s.data ? { data: loadFeed(s.data, baseDir) } : {}),
    cookies: s.cookies,
    zones: s.zones ?? [],
  };
  switch (s.executor) {
    case 'constant-vus':
      return { ...base, executor: s.executor, vus: s.vus, durationMs: s.duration };
    case 'ramping-vus':
      return {
        ...base,
        executor: s.executor,
        startVUs: s.startVUs,
        stages: stagesOf(s, where),
        gracefulRampDownMs: s.gracefulRampDown,
      };
    case 'constant-arrival-rate': {
      const rate = toPerSec(s.rate, s.timeUnit);
      const pre = s.preAllocatedVUs ?? defaultPreAllocatedVus(rate);
      const max = Math.max(pre, s.maxVUs ?? pre);
      return {
        ...base,
        executor: s.executor,
        ratePerSec: rate,
        durationMs: s.duration,
        preAllocatedVUs: pre,
        maxVUs: max,
        poisson: s.poisson,
        maxQueue: s.maxQueue ?? defaultMaxQueue(rate, max),
      };
    }
    case 'ramping-arrival-rate': {
      // Stage targets and startRate are per timeUnit, as in k6; convert to per second.
      const perSec = 1000 / s.timeUnit;
      const stages = stagesOf(s, where).map((st) => ({
        durationMs: st.durationMs,
        target: st.target * perSec,
      }));
      const startRate = toPerSec(s.startRate, s.timeUnit);
      const peak = peakTarget(startRate, stages);
      const pre = s.preAllocatedVUs ?? defaultPreAllocatedVus(peak);
      const max = Math.max(pre, s.maxVUs ?? pre);
      return {
        ...base,
        executor: s.executor,
        startRatePerSec: startRate,
        stages,
        preAllocatedVUs: pre,
        maxVUs: max,
        poisson: s.poisson,
        maxQueue: s.maxQueue ?? defaultMaxQueue(peak, max),
      };
    }
    case 'shared-iterations':
    case 'per-vu-iterations':
      return {
        ...base,
        executor: s.executor,
        vus: s.vus,
        iterations: s.iterations,
        maxDurationMs: s.maxDuration,
      };
  }
}
