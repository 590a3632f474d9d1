/**
 * The candidate search of E-divisive means (Matteson & James 2014), as Apache Otava's
 * PairDistanceCalculator computes it: inside an interval, the split τ (and right end κ)
 * maximising the energy-distance statistic
 *
 *   Q(X, Y) = 2/(n+m) Σ|Xi−Yj|^α − 2m/((n+m)(n−1)) Σ_{i<k}|Xi−Xk|^α − 2n/((n+m)(m−1)) Σ_{j<k}|Yj−Yk|^α
 *
 * over X = series[start:τ], Y = series[τ:κ]. Block sums come from a 2-D prefix sum of the
 * distance matrix, so one search is O(L²) for an interval of length L.
 */
export interface SplitCandidate {
  /** First index of the right segment. */
  index: number;
  qhat: number;
}

/** Pairwise distances of one series, with O(1) block sums. */
export class PairDistances {
  private readonly prefix: Float64Array;
  private readonly stride: number;

  constructor(
    readonly series: ArrayLike<number>,
    power = 1,
  ) {
    if (!(power > 0 && power < 2)) throw new RangeError(`power must be in (0, 2), got ${power}`);
    const n = series.length;
    this.stride = n + 1;
    this.prefix = new Float64Array((n + 1) * (n + 1));
    for (let i = 0; i < n; i++) {
      let row = 0;
      const xi = series[i] as number;
      for (let j = 0; j < n; j++) {
        const d = Math.abs(xi - (series[j] as number));
        row += power === 1 ? d : d ** power;
        this.prefix[(i + 1) * this.stride + j + 1] = (this.prefix[i * this.stride + j + 1] as number) + row;
      }
    }
  }

  /** Σ d(i, j) for i in [a0, a1), j in [b0, b1). */
  block(a0: number, a1: number, b0: number, b1: number): number {
    const s = this.stride;
    const p = this.prefix;
    return (
      (p[a1 * s + b1] as number) -
      (p[a0 * s + b1] as number) -
      (p[a1 * s + b0] as number) +
      (p[a0 * s + b0] as number)
    );
  }

  /**
   * The best split of series[start:stop]; undefined when the interval has fewer than two
   * values. Ties keep the first (smallest τ, then κ), as NumPy's argmax does; when every
   * Q is negative Otava's argmax lands on the zero-filled lower triangle at τ = start + 2,
   * and so does this.
   */
  bestSplit(start: number, stop: number): SplitCandidate | undefined {
    if (stop - start < 2) return undefined;
    let best = Number.NEGATIVE_INFINITY;
    let bestIndex = start + 1;
    for (let tau = start + 1; tau < stop; tau++) {
      const nx = tau - start;
      const sxx = this.block(start, tau, start, tau) / 2;
      for (let kappa = tau + 1; kappa <= stop; kappa++) {
        const ny = kappa - tau;
        const sum = nx + ny;
        const sxy = this.block(start, tau, tau, kappa);
        const syy = this.block(tau, kappa, tau, kappa) / 2;
        let q = (2 / sum) * sxy;
        if (nx > 1) q -= ((2 * ny) / (sum * (nx - 1))) * sxx;
        if (ny > 1) q -= ((2 * nx) / (sum * (ny - 1))) * syy;
        if (q > best) {
          best = q;
          bestIndex = tau;
        }
      }
    }
    if (best < 0 && stop - start >= 3) return { index: start + 2, qhat: 0 };
    return { index: bestIndex, qhat: best };
  }
}
