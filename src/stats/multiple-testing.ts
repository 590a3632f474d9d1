/**
 * Holm's step-down adjustment of p-values (Holm 1979): controls the family-wise error
 * rate — the chance that any of m tests is a false positive — at α under any dependence
 * between the tests, and rejects at least as much as Bonferroni. A comparison of two runs
 * tests a dozen metrics at once; without this, a 2 % level per metric lets roughly one A/A
 * comparison in ten "regress" somewhere.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues
    .map((p, i) => ({ p: Number.isFinite(p) ? p : 1, i }))
    .sort((a, b) => a.p - b.p || a.i - b.i);
  const out = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}
