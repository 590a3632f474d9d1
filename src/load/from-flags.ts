import { usageError } from '../core/errors.js';
import { parseDurationMs, parseRatePerSec } from '../core/units.js';
import { constantRateStages } from './arrivals.js';
import {
  defaultGracefulStopMs,
  defaultMaxQueue,
  defaultPreAllocatedVus,
  defaultQuickDurationMs,
  defaultRequestTimeoutMs,
  defaultWorkers,
} from './defaults.js';
import type {
  ExecutorType,
  LoadConfig,
  RequestConfig,
  ScenarioConfig,
  StageConfig,
  ThinkConfig,
  ThresholdConfig,
} from './model.js';
import { peakTarget, stagesDurationMs } from './stages.js';

/**
 * `shakedown load <url>` flags → LoadConfig: one scenario named `default`, k6's flag
 * semantics. `--rate` implies constant-arrival-rate (ramping-arrival-rate with `--stage`),
 * `--stage` alone implies ramping-vus, `--iterations` shared-iterations, else constant-vus.
 */
export interface LoadFlags {
  vus?: number;
  rate?: string;
  duration?: string;
  executor?: string;
  maxVus?: number;
  think?: string;
  stage?: string[];
  threshold?: string[];
  iterations?: number;
  workers?: number;
  method?: string;
  header?: string[];
  body?: string;
  expect?: string;
  timeout?: string;
  poisson?: boolean;
  maxQueue?: number;
  seed?: number;
  allowRemote?: boolean;
  gracefulStop?: string;
}

export function parseStageFlag(s: string): StageConfig {
  const m = /^\s*([^:]+):\s*(\d+(?:\.\d+)?)\s*$/.exec(s);
  if (!m) throw usageError('E_STAGE', `invalid --stage "${s}": expected duration:target, such as 30s:1000`);
  return { durationMs: parseDurationMs(m[1] as string, '--stage duration'), target: Number(m[2]) };
}

/** `1s` (constant), `1s-3s` (uniform), `exp:2s` (exponential with that mean). */
export function parseThinkFlag(s: string): ThinkConfig {
  const t = s.trim();
  if (t.startsWith('exp:'))
    return { type: 'exponential', meanMs: parseDurationMs(t.slice(4), '--think mean') };
  const range = /^([^-]+)-([^-]+)$/.exec(t);
  if (range) {
    const minMs = parseDurationMs(range[1] as string, '--think minimum');
    const maxMs = parseDurationMs(range[2] as string, '--think maximum');
    if (maxMs < minMs)
      throw usageError('E_THINK', `invalid --think "${s}": the minimum is above the maximum`);
    return { type: 'uniform', minMs, maxMs };
  }
  const v = parseDurationMs(t, '--think');
  return v > 0 ? { type: 'constant', valueMs: v } : { type: 'none' };
}

/** `metric: expr` (k6), `metric{tag:v}: expr`, or a bare `expr` for http_req_duration. */
export function parseThresholdFlag(s: string): ThresholdConfig {
  const m = /^\s*([a-z_][a-z0-9_]*(?:\{[^}]*\})?)\s*:\s*(.+)$/.exec(s);
  if (m)
    return { metric: m[1] as string, expr: (m[2] as string).trim(), abortOnFail: false, delayAbortEvalMs: 0 };
  return { metric: 'http_req_duration', expr: s.trim(), abortOnFail: false, delayAbortEvalMs: 0 };
}

function parseHeaderFlag(h: string): [string, string] {
  const i = h.indexOf(':');
  if (i <= 0) throw usageError('E_HEADER', `invalid --header "${h}": expected "Name: value"`);
  return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
}

function chooseExecutor(f: LoadFlags): ExecutorType {
  if (f.executor) return f.executor as ExecutorType;
  if (f.rate !== undefined) return f.stage?.length ? 'ramping-arrival-rate' : 'constant-arrival-rate';
  if (f.stage?.length) return 'ramping-vus';
  if (f.iterations !== undefined) return 'shared-iterations';
  return 'constant-vus';
}

const executors: ExecutorType[] = [
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'shared-iterations',
  'per-vu-iterations',
];

export function loadConfigFromFlags(url: string, f: LoadFlags): LoadConfig {
  try {
    new URL(url);
  } catch {
    throw usageError('E_URL', `invalid URL "${url}"`, 'give an absolute URL such as http://127.0.0.1:8080/');
  }
  const executor = chooseExecutor(f);
  if (!executors.includes(executor)) {
    throw usageError('E_EXECUTOR', `unknown executor "${f.executor}"`, `use one of: ${executors.join(', ')}`);
  }
  const request: RequestConfig = {
    name: `${f.method ?? 'GET'} ${new URL(url).pathname}`,
    weight: 1,
    method: (f.method ?? 'GET').toUpperCase(),
    url,
    headers: Object.fromEntries((f.header ?? []).map(parseHeaderFlag)),
    ...(f.body !== undefined ? { body: f.body } : {}),
    bodyIsJson: false,
    expect: f.expect ? f.expect.split(',').map((x) => Number(x.trim())) : [],
    checks: [],
    timeoutMs: f.timeout ? parseDurationMs(f.timeout, '--timeout') : defaultRequestTimeoutMs,
  };
  if (request.expect.some((x) => !Number.isInteger(x)))
    throw usageError('E_EXPECT', `invalid --expect "${f.expect}": expected statuses such as 200,201`);
  const base = {
    name: 'default',
    startTimeMs: 0,
    gracefulStopMs: f.gracefulStop
      ? parseDurationMs(f.gracefulStop, '--graceful-stop')
      : defaultGracefulStopMs,
    think: f.think ? parseThinkFlag(f.think) : ({ type: 'none' } as ThinkConfig),
    requests: [request],
    cookies: true,
    zones: [],
  };
  const durationMs = f.duration ? parseDurationMs(f.duration, '--duration') : defaultQuickDurationMs;
  const stages = (f.stage ?? []).map(parseStageFlag);
  const needStages = () => {
    if (stages.length === 0)
      throw usageError('E_STAGES', `executor ${executor} needs at least one --stage such as 30s:100`);
    return stages;
  };
  let scenario: ScenarioConfig;
  switch (executor) {
    case 'constant-vus':
      scenario = { ...base, executor, vus: f.vus ?? 1, durationMs };
      break;
    case 'ramping-vus':
      scenario = {
        ...base,
        executor,
        startVUs: f.vus ?? 0,
        stages: needStages(),
        gracefulRampDownMs: base.gracefulStopMs,
      };
      break;
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      if (f.rate === undefined && executor === 'constant-arrival-rate') {
        throw usageError('E_RATE', 'constant-arrival-rate needs --rate, such as --rate 500/s');
      }
      const rate = f.rate !== undefined ? parseRatePerSec(f.rate, '--rate') : 0;
      const st = executor === 'constant-arrival-rate' ? constantRateStages(rate, durationMs) : needStages();
      const peak = peakTarget(rate, st);
      const pre = f.vus ?? defaultPreAllocatedVus(peak);
      const max = Math.max(pre, f.maxVus ?? pre);
      const arrival = {
        preAllocatedVUs: pre,
        maxVUs: max,
        poisson: f.poisson ?? false,
        maxQueue: f.maxQueue ?? defaultMaxQueue(peak, max),
      };
      scenario =
        executor === 'constant-arrival-rate'
          ? { ...base, executor, ratePerSec: rate, durationMs, ...arrival }
          : { ...base, executor, startRatePerSec: rate, stages: st, ...arrival };
      break;
    }
    case 'shared-iterations':
    case 'per-vu-iterations':
      scenario = {
        ...base,
        executor,
        vus: f.vus ?? 1,
        iterations: f.iterations ?? 1,
        maxDurationMs: f.duration ? durationMs : 600_000,
      };
      break;
  }
  if (executor === 'ramping-vus' && stagesDurationMs(stages) === 0)
    throw usageError('E_STAGES', '--stage durations add up to zero');
  return {
    scenarios: [scenario],
    zones: [],
    thresholds: (f.threshold ?? []).map(parseThresholdFlag),
    workers: f.workers ?? defaultWorkers(),
    seed: f.seed ?? Date.now() & 0x7fffffff,
    allowRemote: f.allowRemote ?? false,
  };
}
