/**
 * Ranks with ties averaged (the "average" method of R's `rank` and SciPy's `rankdata`),
 * plus the sizes of the tie groups, which the tie corrections of rank tests need.
 */
export interface Ranking {
  /** 1-based ranks, in the order of the input. */
  ranks: Float64Array;
  /** Size of every group of equal values (groups of one included). */
  tieSizes: number[];
}

export function averageRanks(values: ArrayLike<number>): Ranking {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (values[a] as number) - (values[b] as number),
  );
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const v = values[order[i] as number] as number;
    while (j < n && values[order[j] as number] === v) j++;
    // Positions i..j-1 share the average of ranks i+1..j.
    const r = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k] as number] = r;
    tieSizes.push(j - i);
    i = j;
  }
  return { ranks, tieSizes };
}

/** Σ (t³ − t) over tie groups: the tie term of the rank-sum variance. */
export function tieTerm(tieSizes: readonly number[]): number {
  let s = 0;
  for (const t of tieSizes) s += t * t * t - t;
  return s;
}
