import { usageError } from '../core/errors.js';
import { runLoadTest } from '../load/engine.js';
import { loadConfigFromFlags } from '../load/from-flags.js';
import { loadConfigFromSpec } from '../load/from-spec.js';
import type { LoadConfig } from '../load/model.js';
import type { LoadSummary } from '../load/summary.js';
import type { LoadSection } from '../spec/sections/load.js';
import type { LoadDuring } from './model.js';

/**
 * Built-in load while a rollout runs, so a quiet service still has data to judge (Flagger
 * fails a canary with "no values found" instead): a scenario of the spec's `load:`
 * section, or one URL at a rate, sent to a mesh listener for the whole rollout and stopped
 * when it ends. Loopback only, like every Shakedown load.
 */
export interface LoadDuringContext {
  /** Base URL of a mesh listener by name (default: the first). */
  listenerUrl(name?: string): string;
  /** The spec's load section, for `scenario`. */
  loadSection?: LoadSection;
  baseDir: string;
}

/** Longest a rollout's load may run; the rollout stops it much earlier. */
const maxLoadDuration = '6h';

export function loadDuringConfig(l: LoadDuring, ctx: LoadDuringContext): LoadConfig {
  const base = ctx.listenerUrl(l.listener);
  if (l.scenario !== undefined) {
    const section = ctx.loadSection;
    const scenario = section?.scenarios[l.scenario];
    if (!section || !scenario)
      throw usageError('E_ROLLOUT_LOAD', `no scenario "${l.scenario}" in the spec's load: section`);
    const config = loadConfigFromSpec(
      { ...section, thresholds: {}, scenarios: { [l.scenario]: scenario } },
      { baseDir: ctx.baseDir, baseUrl: base, workers: l.workers },
    );
    return config;
  }
  const url = new URL(l.url as string, base.endsWith('/') ? base : `${base}/`).toString();
  return loadConfigFromFlags(url, {
    ...(l.ratePerSec !== undefined ? { rate: `${l.ratePerSec}/s` } : {}),
    vus: l.vus ?? (l.ratePerSec !== undefined ? Math.max(10, Math.ceil(l.ratePerSec / 20)) : 10),
    ...(l.maxVus !== undefined ? { maxVus: l.maxVus } : {}),
    duration: maxLoadDuration,
    header: Object.entries(l.headers).map(([k, v]) => `${k}: ${v}`),
    workers: l.workers,
    gracefulStop: '2s',
  });
}

/** Starts the load; `stop()` ends it and resolves with its summary. */
export function startLoad(config: LoadConfig): { stop(): Promise<LoadSummary> } {
  const ctl = new AbortController();
  const done = runLoadTest(config, { signal: ctl.signal });
  return {
    stop: async () => {
      ctl.abort();
      return (await done).summary;
    },
  };
}
