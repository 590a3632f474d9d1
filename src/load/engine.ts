import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type Clock, systemClock } from '../core/clock.js';
import { ShakedownError } from '../core/errors.js';
import { decodeWindow, type Window } from '../core/window.js';
import { RunAggregate, type VuGauge } from './aggregate.js';
import { createExecutor } from './executors/registry.js';
import type { LoadConfig } from './model.js';
import type { Output, RunInfo } from './output.js';
import { type CheckTally, runSegment } from './segment-runner.js';
import { buildSummary, type LoadSummary } from './summary.js';
import { assertTargetsAllowed } from './target-policy.js';
import { evaluateThresholds, parseThreshold } from './thresholds.js';
import { TickCollector } from './tick-collector.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/**
 * Runs a load test: plans it, runs its segments in-process (one worker) or in worker
 * threads, merges their windows second by second, feeds the outputs, enforces
 * abortOnFail thresholds, and returns the summary. The caller owns the process: signals,
 * exit codes and printing live in the CLI.
 */
export interface LoadRunOptions {
  outputs?: Output[];
  /** Abort to stop the run (Ctrl-C); the summary is still built from what was measured. */
  signal?: AbortSignal;
  clock?: Clock;
  windowMs?: number;
}

export interface LoadResult {
  summary: LoadSummary;
  thresholdsFailed: boolean;
}

const WORKER_BOOT_MS = 100;

/** The plan of a whole run: per scenario, and the total time it is expected to take. */
export function planRun(config: LoadConfig): Omit<RunInfo, 'startMs' | 'config'> {
  const scenarios = config.scenarios.map((s) => {
    const p = createExecutor(s, { index: 0, count: 1 }).plan();
    return {
      name: s.name,
      executor: s.executor,
      startTimeMs: s.startTimeMs,
      durationMs: p.durationMs,
      maxVUs: p.maxVUs,
    };
  });
  return {
    scenarios,
    plannedDurationMs: Math.max(0, ...scenarios.map((s) => s.startTimeMs + s.durationMs)),
    plannedMaxVus: scenarios.reduce((sum, s) => sum + s.maxVUs, 0),
  };
}

export async function runLoadTest(config: LoadConfig, opts: LoadRunOptions = {}): Promise<LoadResult> {
  const clock = opts.clock ?? systemClock;
  const windowMs = opts.windowMs ?? 1000;
  const outputs = opts.outputs ?? [];
  const parsed = config.thresholds.map(parseThreshold);
  assertTargetsAllowed(
    config.scenarios.flatMap((s) => s.requests.map((r) => r.url)),
    config.allowRemote,
  );
  const plan = planRun(config);
  const stop = new AbortController();
  let abortedBy: LoadSummary['abortedBy'] = null;
  const onUserStop = () => {
    abortedBy ??= 'interrupted';
    stop.abort();
  };
  if (opts.signal?.aborted) onUserStop();
  opts.signal?.addEventListener('abort', onUserStop, { once: true });

  const aggregate = new RunAggregate();
  const segments = Math.max(1, Math.floor(config.workers));
  let runStartMs = 0;
  let collector: TickCollector | undefined;
  const abortChecks = parsed.filter((p) => p.source.abortOnFail);

  const release = (index: number, t: number, windows: Window[], vus: VuGauge[]) => {
    const point = aggregate.addSecond(t, windows, vus);
    const report = { t, index, windows, vus, point, aggregate };
    for (const o of outputs) o.write(report);
    if (abortChecks.length > 0 && !stop.signal.aborted) {
      const elapsed = t + windowMs - runStartMs;
      const due = abortChecks.filter((p) => elapsed >= p.source.delayAbortEvalMs);
      if (evaluateThresholds(due, aggregate.reader()).some((r) => !r.ok)) {
        abortedBy ??= 'threshold';
        stop.abort();
      }
    }
  };

  const started = async (startMs: number) => {
    runStartMs = startMs;
    collector = new TickCollector(segments, startMs, windowMs, release);
    const info: RunInfo = { ...plan, startMs, config };
    for (const o of outputs) await o.start(info);
  };

  let checks: CheckTally[];
  try {
    if (segments === 1) {
      const startMs = clock.monotonicMs() + 20;
      await started(startMs);
      checks = await runSegment(config, { index: 0, count: 1 }, startMs, {
        clock,
        stop: stop.signal,
        windowMs,
        onTick: (tick) => collector?.add(0, tick),
      });
    } else {
      checks = await runInWorkers(config, segments, clock, stop.signal, started, (seg, tick) =>
        collector?.add(seg, tick),
      );
    }
  } finally {
    opts.signal?.removeEventListener('abort', onUserStop);
  }
  collector?.finish();
  const endMs = clock.monotonicMs();
  const thresholds = evaluateThresholds(
    parsed,
    aggregate.reader(() => (endMs - runStartMs) / 1000),
  );
  const thresholdsFailed = thresholds.some((t) => !t.ok);
  const status = abortedBy === 'interrupted' ? 'aborted' : thresholdsFailed ? 'failed' : 'passed';
  const summary = buildSummary({
    aggregate,
    thresholds,
    checks,
    startMs: runStartMs,
    endMs,
    status,
    abortedBy,
  });
  for (const o of outputs) await o.stop(summary);
  return { summary, thresholdsFailed };
}

/** Where the compiled worker entry is (tests run sources; the worker needs compiled JS). */
function workerScript(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/load/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new ShakedownError('E_NO_WORKER', 'the load worker script is not built', {
    hint: 'run `npm run build` first',
  });
}

async function runInWorkers(
  config: LoadConfig,
  count: number,
  clock: Clock,
  stop: AbortSignal,
  started: (startMs: number) => Promise<void>,
  onTick: (segment: number, tick: { completedSeconds: number; windows: Window[]; vus: VuGauge[] }) => void,
): Promise<CheckTally[]> {
  const script = workerScript();
  const workers = Array.from({ length: count }, () => new Worker(script));
  const ready = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        const onMsg = (m: FromWorker) => {
          if (m.type === 'ready') {
            w.off('message', onMsg);
            resolve();
          }
        };
        w.on('message', onMsg);
        w.once('error', reject);
      }),
  );
  try {
    await Promise.all(ready);
    const startMs = clock.monotonicMs() + WORKER_BOOT_MS;
    await started(startMs);
    const results = workers.map(
      (w, i) =>
        new Promise<CheckTally[]>((resolve, reject) => {
          w.on('message', (m: FromWorker) => {
            if (m.type === 'tick') {
              onTick(i, {
                completedSeconds: m.completedSeconds < 0 ? Number.POSITIVE_INFINITY : m.completedSeconds,
                windows: m.windows.map(decodeWindow),
                vus: m.vus,
              });
            } else if (m.type === 'done') {
              resolve(m.checks);
            } else if (m.type === 'error') {
              const e = new ShakedownError(m.code ?? 'E_WORKER', `load worker ${i} failed: ${m.message}`);
              if (m.stack) e.stack = m.stack;
              reject(e);
            }
          });
          w.once('error', reject);
          w.once('exit', (code) =>
            reject(new ShakedownError('E_WORKER', `load worker ${i} exited with code ${code}`)),
          );
        }),
    );
    const onStop = () => {
      for (const w of workers) w.postMessage({ type: 'stop' } satisfies ToWorker);
    };
    stop.addEventListener('abort', onStop, { once: true });
    for (let i = 0; i < count; i++) {
      workers[i]?.postMessage({
        type: 'start',
        config,
        segment: { index: i, count },
        runStartMs: startMs,
      } satisfies ToWorker);
    }
    if (stop.aborted) onStop();
    const all = await Promise.all(results);
    stop.removeEventListener('abort', onStop);
    return mergeChecks(all.flat());
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function mergeChecks(list: CheckTally[]): CheckTally[] {
  const by = new Map<string, CheckTally>();
  for (const c of list) {
    const k = `${c.scenario}\u0001${c.request}\u0001${c.check}`;
    const have = by.get(k);
    if (have) {
      have.passes += c.passes;
      have.fails += c.fails;
    } else {
      by.set(k, { ...c });
    }
  }
  return [...by.values()];
}
