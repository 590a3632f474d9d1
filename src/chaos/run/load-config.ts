import { usageError } from '../../core/errors.js';
import { loadConfigFromSpec } from '../../load/from-spec.js';
import type { LoadConfig, ScenarioConfig } from '../../load/model.js';
import type { LoadedSpec } from '../../spec/load-spec.js';

/**
 * The load that runs through an experiment: one scenario of the spec's `load:` section,
 * sent to the platform's mesh listener. With `vus` it becomes a closed model of that many
 * users (ramped over `rampUp`) for the whole experiment, keeping the scenario's requests,
 * think time, data and checks; without, the scenario runs as written.
 */
export function experimentLoadConfig(
  loaded: LoadedSpec | undefined,
  load: { scenario: string; vus?: number | undefined; rampUp: number },
  totalMs: number,
  options: { baseUrl?: string | undefined; workers?: number | undefined; seed?: number | undefined },
): LoadConfig {
  const section = loaded?.spec.load;
  if (!section)
    throw usageError(
      'E_CHAOS_NO_LOAD',
      'the experiment names a load scenario, but the spec has no load: section',
    );
  const config = loadConfigFromSpec(section, {
    baseDir: loaded.dir,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const scenario = config.scenarios.find((s) => s.name === load.scenario);
  if (!scenario)
    throw usageError(
      'E_CHAOS_NO_LOAD',
      `no load scenario "${load.scenario}"`,
      `scenarios in the spec: ${config.scenarios.map((s) => s.name).join(', ')}`,
    );
  let s: ScenarioConfig = {
    ...scenario,
    startTimeMs: 0,
    gracefulStopMs: Math.min(scenario.gracefulStopMs, 5000),
  };
  if (load.vus !== undefined) {
    const rampUp = Math.min(load.rampUp, totalMs);
    s = {
      name: s.name,
      startTimeMs: 0,
      gracefulStopMs: s.gracefulStopMs,
      think: s.think,
      requests: s.requests,
      ...(s.data ? { data: s.data } : {}),
      cookies: s.cookies,
      zones: s.zones,
      executor: 'ramping-vus',
      startVUs: rampUp > 0 ? 0 : load.vus,
      stages: [
        ...(rampUp > 0 ? [{ durationMs: rampUp, target: load.vus }] : []),
        { durationMs: Math.max(1000, totalMs - rampUp), target: load.vus },
      ],
      gracefulRampDownMs: 0,
    };
  }
  // The experiment's hypothesis judges the run, not the load section's thresholds.
  return { ...config, scenarios: [s], thresholds: [] };
}
