import { createRandom } from '../../core/random.js';
import type { Detector, DetectorPlugin } from '../detector.js';

/**
 * NAB's reference baselines: `null` always answers 0.5 (it detects everything or
 * nothing, so it scores 0 by construction of the normalisation) and `random` answers a
 * uniform random score (seeded, so a run is repeatable).
 */
export const nullPlugin: DetectorPlugin<Record<string, never>> = {
  summary: 'constant 0.5 (NAB’s null baseline; scores 0 by definition)',
  defaults: {},
  create: (): Detector => ({ update: () => 0.5 }),
};

export const randomPlugin: DetectorPlugin<{ seed: number }> = {
  summary: 'uniform random scores (NAB’s random baseline), seeded',
  defaults: { seed: 42 },
  create: (p): Detector => {
    const rnd = createRandom(p.seed);
    return { update: () => rnd.next() };
  },
};
