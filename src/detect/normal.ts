/**
 * Normal-distribution helpers the detectors share. Written here because Node has no
 * erfc and the tail probabilities the likelihood works with go down to 1e-10, where
 * 1 − erf(x) loses every digit: the Maclaurin series of erf below 2, the continued
 * fraction of erfc (Lentz's method) above.
 */

/** The complementary error function, to about 1e-15 relative. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // Maclaurin series of erf (loses at most ~3 digits to cancellation below 2).
    let sum = x;
    let term = x;
    const x2 = x * x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Lentz's method on the continued fraction of erfc, fast from 2 on.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

/** P(X ≥ x) for X ~ N(mean, sd²) when x ≥ mean, mirrored below it (a two-sided tail). */
export function normalTail(x: number, mean: number, sd: number): number {
  if (!(sd > 0)) return x === mean ? 0.5 : 0;
  const z = Math.abs(x - mean) / sd;
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}
