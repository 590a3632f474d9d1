import type { BlueGreenStrategy, CanaryStrategy, RolloutSpec, Step } from './model.js';

/**
 * The steps a strategy runs before the switch, as data (k6's habit: config plans itself).
 * A canary runs its own steps. Blue-green becomes: header route and mirror to the preview,
 * pre-promotion analysis, then a pause until promoted when promotion is manual (or a timed
 * pause for `autoPromotionDelay`). The switch, the post-promotion analysis and the
 * scale-down follow for both, in the controller.
 */
export function planSteps(spec: Pick<RolloutSpec, 'strategy'>): Step[] {
  return spec.strategy.type === 'canary' ? canarySteps(spec.strategy) : blueGreenSteps(spec.strategy);
}

function canarySteps(s: CanaryStrategy): Step[] {
  return [...s.steps];
}

function blueGreenSteps(s: BlueGreenStrategy): Step[] {
  const steps: Step[] = [];
  if (s.previewRoute) steps.push({ kind: 'setHeaderRoute', match: s.previewRoute });
  if (s.previewMirror > 0) steps.push({ kind: 'setMirror', fraction: s.previewMirror });
  if (s.prePromotion) steps.push({ kind: 'analysis', analysis: s.prePromotion });
  if (!s.autoPromotion) steps.push({ kind: 'pause', durationMs: null });
  else if (s.autoPromotionDelayMs > 0) steps.push({ kind: 'pause', durationMs: s.autoPromotionDelayMs });
  return steps;
}

/** The new version's weight after the steps up to and including `index` (0 before any). */
export function weightAfter(steps: readonly Step[], index: number): number {
  let w = 0;
  for (let i = 0; i <= index && i < steps.length; i++) {
    const s = steps[i] as Step;
    if (s.kind === 'setWeight') w = s.weight;
  }
  return w;
}
