import { Registry } from '../../core/registry.js';
import type { ScenarioConfig } from '../model.js';
import { constantArrivalRate } from './constant-arrival-rate.js';
import { constantVus } from './constant-vus.js';
import { perVuIterations } from './per-vu-iterations.js';
import { rampingArrivalRate } from './ramping-arrival-rate.js';
import { rampingVus } from './ramping-vus.js';
import { sharedIterations } from './shared-iterations.js';
import type { ExecutorFactory } from './types.js';

/** The executors, keyed by k6's names. */
export function executorRegistry(): Registry<ExecutorFactory> {
  return new Registry<ExecutorFactory>('executor')
    .register('constant-vus', constantVus as ExecutorFactory)
    .register('ramping-vus', rampingVus as ExecutorFactory)
    .register('constant-arrival-rate', constantArrivalRate as ExecutorFactory)
    .register('ramping-arrival-rate', rampingArrivalRate as ExecutorFactory)
    .register('shared-iterations', sharedIterations as ExecutorFactory)
    .register('per-vu-iterations', perVuIterations as ExecutorFactory);
}

export function createExecutor(
  config: ScenarioConfig,
  segment: { index: number; count: number },
  registry = executorRegistry(),
) {
  return registry.get(config.executor)(config, segment);
}
