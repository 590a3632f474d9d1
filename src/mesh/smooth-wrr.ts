/**
 * Smooth weighted round robin (nginx's algorithm): every pick adds each item's weight to
 * its running score, takes the highest score and subtracts the total from it. Over any
 * run of `total` picks each item is chosen exactly `weight` times, interleaved as evenly
 * as possible (90/10 gives one v2 in every ten, not ten in a row), and it is deterministic:
 * no randomness, so ratios are exact over time, not just on average.
 */
export class SmoothWeightedRoundRobin {
  private weights: number[] = [];
  private scores: number[] = [];
  private total = 0;

  constructor(weights: readonly number[] = []) {
    this.setWeights(weights);
  }

  /** Replaces the weights and restarts the sequence, so a change applies from the next pick. */
  setWeights(weights: readonly number[]): void {
    for (const w of weights) {
      if (!Number.isFinite(w) || w < 0) throw new RangeError(`weight must be a finite number ≥ 0, got ${w}`);
    }
    this.weights = [...weights];
    this.scores = new Array(weights.length).fill(0);
    this.total = weights.reduce((a, b) => a + b, 0);
  }

  /** The index of the next item, or -1 when every weight is 0. */
  pick(): number {
    if (this.total <= 0) return -1;
    const weights = this.weights;
    const scores = this.scores;
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] as number;
      if (w === 0) continue;
      const s = (scores[i] as number) + w;
      scores[i] = s;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    scores[best] = bestScore - this.total;
    return best;
  }
}
