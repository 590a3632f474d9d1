import type { StepSpec } from '../schema.js';

/**
 * The plan of a method: every step with its start offset and duration, and the method's
 * total length — what `--dry-run` prints (with the targets) and what sizes the load. A
 * repeated fault (`every`) is one item per injection. Pure.
 */
export interface PlanItem {
  /** Where the step is in the method: `2.1` is the first step of step 2's group. */
  path: string;
  kind: 'fault' | 'action' | 'wait';
  startMs: number;
  durationMs: number;
  what: string;
  step: StepSpec;
}

export interface MethodPlan {
  items: PlanItem[];
  durationMs: number;
}

function describe(step: StepSpec): string {
  if (step.kind === 'fault') {
    const { type, ...rest } = step.fault as Record<string, unknown>;
    const fields = Object.entries(rest)
      .filter(([, v]) => v !== undefined && typeof v !== 'object')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return `${type}${fields ? ` ${fields}` : ''}`;
  }
  if (step.kind === 'action') return `action ${step.action.type}`;
  if (step.kind === 'wait') return 'wait';
  return step.kind;
}

function planSteps(
  steps: readonly StepSpec[],
  startMs: number,
  prefix: string,
  parallel: boolean,
  out: PlanItem[],
): number {
  let t = startMs;
  let end = startMs;
  steps.forEach((step, i) => {
    const path = `${prefix}${i + 1}`;
    const at = parallel ? startMs : t;
    let d: number;
    if (step.kind === 'parallel' || step.kind === 'serial') {
      d = planSteps(step.steps, at, `${path}.`, step.kind === 'parallel', out) - at;
    } else if (step.kind === 'fault' && step.everyMs !== undefined) {
      let n = 0;
      for (let o = 0; o < step.durationMs; o += step.everyMs) {
        out.push({
          path: `${path}#${++n}`,
          kind: 'fault',
          startMs: at + o,
          durationMs: 0,
          what: describe(step),
          step,
        });
      }
      d = step.durationMs;
    } else {
      d = step.kind === 'action' ? 0 : 'durationMs' in step ? step.durationMs : 0;
      out.push({
        path,
        kind: step.kind as PlanItem['kind'],
        startMs: at,
        durationMs: d,
        what: describe(step),
        step,
      });
    }
    end = Math.max(end, at + d);
    if (!parallel) t = at + d;
  });
  return parallel ? end : t;
}

export function planMethod(steps: readonly StepSpec[]): MethodPlan {
  const items: PlanItem[] = [];
  const durationMs = planSteps(steps, 0, '', false, items);
  return { items, durationMs };
}
