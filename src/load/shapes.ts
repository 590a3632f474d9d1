import { Registry } from '../core/registry.js';
import type { ShapeSpec } from '../spec/sections/load.js';
import type { StageConfig } from './model.js';

/**
 * Traffic shapes: generators of stages, usable by ramping-vus (targets are VUs) and
 * ramping-arrival-rate (targets are starts per second). One entry per shape.
 */
export type ShapeGenerator<S extends ShapeSpec = ShapeSpec> = (shape: S) => StageConfig[];

type ShapeOf<T extends ShapeSpec['type']> = Extract<ShapeSpec, { type: T }>;

const ramp: ShapeGenerator<ShapeOf<'ramp'>> = (s) =>
  [
    { durationMs: s.rampUp, target: s.target },
    { durationMs: s.hold, target: s.target },
    { durationMs: s.rampDown, target: 0 },
  ].filter((st) => st.durationMs > 0);

const spike: ShapeGenerator<ShapeOf<'spike'>> = (s) =>
  [
    { durationMs: 0, target: s.base },
    { durationMs: s.before, target: s.base },
    { durationMs: s.rise, target: s.peak },
    { durationMs: s.hold, target: s.peak },
    { durationMs: s.fall, target: s.base },
    { durationMs: s.after, target: s.base },
  ].filter((st, i) => i === 0 || st.durationMs > 0);

const burst: ShapeGenerator<ShapeOf<'burst'>> = (s) => {
  const stages: StageConfig[] = [{ durationMs: 0, target: s.base }];
  const edge = Math.min(1000, s.burst / 4);
  for (let i = 0; i < s.count; i++) {
    stages.push({ durationMs: Math.max(0, s.every - s.burst), target: s.base });
    stages.push({ durationMs: edge, target: s.peak });
    stages.push({ durationMs: Math.max(0, s.burst - 2 * edge), target: s.peak });
    stages.push({ durationMs: edge, target: s.base });
  }
  return stages.filter((st, i) => i === 0 || st.durationMs > 0);
};

/**
 * A day of traffic compressed into `day`: quiet in the small hours, rising through the
 * morning, busiest in the evening around 19:00 (a daily wave plus a half-day harmonic,
 * the usual shape of consumer traffic). Unnormalised; callers scale it between min and max.
 */
export function diurnalFactor(hourOfDay: number): number {
  return (
    -0.8 * Math.cos((2 * Math.PI * (hourOfDay - 4.5)) / 24) +
    0.25 * Math.cos((4 * Math.PI * (hourOfDay - 19)) / 24)
  );
}

const diurnal: ShapeGenerator<ShapeOf<'diurnal'>> = (s) => {
  const steps = Math.max(1, Math.round(s.steps * s.days));
  const stepMs = (s.day * s.days) / steps;
  const lo = Math.min(...Array.from({ length: 97 }, (_, i) => diurnalFactor(i / 4)));
  const hi = Math.max(...Array.from({ length: 97 }, (_, i) => diurnalFactor(i / 4)));
  const level = (h: number) => s.min + ((diurnalFactor(h) - lo) / (hi - lo)) * (s.max - s.min);
  const stages: StageConfig[] = [{ durationMs: 0, target: level(0) }];
  for (let i = 1; i <= steps; i++) {
    const hour = ((i * stepMs) / s.day) * 24;
    stages.push({ durationMs: stepMs, target: level(hour % 24) });
  }
  return stages;
};

const soak: ShapeGenerator<ShapeOf<'soak'>> = (s) =>
  [
    { durationMs: s.rampUp, target: s.target },
    { durationMs: s.duration, target: s.target },
    { durationMs: s.rampDown, target: 0 },
  ].filter((st) => st.durationMs > 0);

export function shapeRegistry(): Registry<ShapeGenerator> {
  return new Registry<ShapeGenerator>('traffic shape')
    .register('ramp', ramp as ShapeGenerator)
    .register('spike', spike as ShapeGenerator)
    .register('burst', burst as ShapeGenerator)
    .register('diurnal', diurnal as ShapeGenerator)
    .register('soak', soak as ShapeGenerator);
}

/** Stages for a shape. The first stage may have zero duration: it sets the start level. */
export function shapeStages(shape: ShapeSpec, registry = shapeRegistry()): StageConfig[] {
  return registry.get(shape.type)(shape);
}
