import { clampScore, type Detector } from '../detector.js';

/**
 * Combines member detectors fed the same stream: `max` (any member's alarm),
 * `mean` (a vote), or a weighted mean when weights are given.
 */
export class Ensemble implements Detector {
  constructor(
    private readonly members: readonly Detector[],
    private readonly combine: 'max' | 'mean' = 'max',
    private readonly weights?: readonly number[],
  ) {
    if (members.length === 0) throw new Error('an ensemble needs at least one member');
    if (weights && weights.length !== members.length) throw new Error('one weight per ensemble member');
  }

  update(t: number, value: number): number {
    let max = 0;
    let sum = 0;
    let wsum = 0;
    for (let i = 0; i < this.members.length; i++) {
      const s = (this.members[i] as Detector).update(t, value);
      const w = this.weights ? (this.weights[i] as number) : 1;
      if (s * w > max) max = s * w;
      sum += s * w;
      wsum += w;
    }
    return clampScore(this.combine === 'max' ? max : sum / wsum);
  }
}
