import type { Clock } from '../../core/clock.js';
import type { Registry } from '../../core/registry.js';
import type { ActionType } from '../actions/types.js';
import type { FaultContext } from '../faults/types.js';
import type { StepSpec } from '../schema.js';
import type { Injector } from './injector.js';

/**
 * Runs a method: steps one after another (or a group in parallel); a fault step injects,
 * holds for its duration and reverts (an instant fault with `every` is injected again every
 * interval for its duration); an action runs once; a wait waits. An abort (the abort
 * condition, Ctrl-C) cuts every wait short; the caller then reverts what is left.
 */
export interface MethodDeps {
  injector: Injector;
  actions: Registry<ActionType>;
  ctx: FaultContext;
  clock: Clock;
  signal: AbortSignal;
}

export async function runSteps(
  steps: readonly StepSpec[],
  deps: MethodDeps,
  parallel = false,
): Promise<void> {
  if (parallel) {
    const results = await Promise.allSettled(steps.map((s) => runStep(s, deps)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return;
  }
  for (const s of steps) {
    if (deps.signal.aborted) return;
    await runStep(s, deps);
  }
}

async function runStep(step: StepSpec, deps: MethodDeps): Promise<void> {
  const { clock, signal, injector } = deps;
  if (signal.aborted) return;
  switch (step.kind) {
    case 'parallel':
    case 'serial':
      return runSteps(step.steps, deps, step.kind === 'parallel');
    case 'wait':
      return clock.sleep(step.durationMs, signal);
    case 'action': {
      const t = deps.actions.get(step.action.type);
      const { type: _, ...params } = step.action as Record<string, unknown>;
      deps.ctx.emit('action.started', step.action.type, {});
      try {
        const result = await t.run(params as never, deps.ctx);
        deps.ctx.emit('action.succeeded', step.action.type, result);
      } catch (e) {
        deps.ctx.emit('action.failed', step.action.type, { message: (e as Error).message });
        throw e;
      }
      return;
    }
    case 'fault': {
      if (step.everyMs !== undefined) {
        const start = clock.monotonicMs();
        for (let n = 0; !signal.aborted; n++) {
          const due = start + n * step.everyMs;
          if (due - start >= step.durationMs) break;
          await clock.sleep(due - clock.monotonicMs(), signal);
          if (signal.aborted) break;
          const { instance, planned } = await injector.plan(step.fault, 0);
          await injector.inject(step.fault, instance, planned);
        }
        await clock.sleep(start + step.durationMs - clock.monotonicMs(), signal);
        return;
      }
      const { instance, planned } = await injector.plan(step.fault, step.durationMs);
      const injection = await injector.inject(step.fault, instance, planned);
      if (injection.instant) return;
      try {
        await clock.sleep(step.durationMs, signal);
      } finally {
        await injector.revert(
          instance.id,
          signal.aborted ? String(signal.reason ?? 'aborted') : 'step ended',
        );
      }
    }
  }
}
