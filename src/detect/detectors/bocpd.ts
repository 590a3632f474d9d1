import { clampScore, type Detector, type DetectorPlugin } from '../detector.js';

/**
 * Bayesian online change-point detection (Adams & MacKay 2007) with a constant hazard
 * and a normal model of unknown mean and variance (normal-gamma prior, Student-t
 * predictive). Values are standardised online (running mean and deviation of all values
 * seen) so one prior fits every scale. The run-length distribution is truncated to
 * `maxRunLength` and to mass above 1e-10. The score is the posterior probability that
 * the current run is shorter than `shortRun` points: high just after a change.
 */
export interface BocpdParams extends Record<string, number> {
  /** Expected run length between changes (hazard = 1/λ). */
  lambda: number;
  maxRunLength: number;
  shortRun: number;
  /** Prior pseudo-observations of the mean and of the precision. */
  kappa0: number;
  alpha0: number;
  beta0: number;
  minSamples: number;
}

export class Bocpd implements Detector {
  private probs = new Float64Array([1]);
  private mu = new Float64Array([0]);
  private kappa: Float64Array;
  private alpha: Float64Array;
  private beta: Float64Array;
  private n = 0;
  private runMean = 0;
  private runM2 = 0;

  constructor(private readonly p: BocpdParams) {
    this.kappa = new Float64Array([p.kappa0]);
    this.alpha = new Float64Array([p.alpha0]);
    this.beta = new Float64Array([p.beta0]);
  }

  update(_t: number, value: number): number {
    // Online standardisation (Welford), using the statistics before this value.
    const sd = this.n > 1 ? Math.sqrt(this.runM2 / (this.n - 1)) : 0;
    const x = sd > 0 ? (value - this.runMean) / sd : 0;
    this.n++;
    const d = value - this.runMean;
    this.runMean += d / this.n;
    this.runM2 += d * (value - this.runMean);

    const p = this.p;
    const h = 1 / p.lambda;
    const k = this.probs.length;
    const pred = new Float64Array(k);
    for (let r = 0; r < k; r++)
      pred[r] = studentT(
        x,
        this.mu[r] as number,
        this.kappa[r] as number,
        this.alpha[r] as number,
        this.beta[r] as number,
      );
    const next = new Float64Array(Math.min(k + 1, p.maxRunLength));
    let cp = 0;
    for (let r = 0; r < k; r++) {
      const m = (this.probs[r] as number) * (pred[r] as number);
      cp += m * h;
      if (r + 1 < next.length) next[r + 1] = m * (1 - h);
      else next[next.length - 1] = (next[next.length - 1] as number) + m * (1 - h);
    }
    next[0] = cp;
    let total = 0;
    for (const v of next) total += v;
    if (!(total > 0)) {
      next.fill(0);
      next[0] = 1;
      total = 1;
    }
    // Posterior parameters: run length 0 restarts from the prior.
    const mu = new Float64Array(next.length);
    const kappa = new Float64Array(next.length);
    const alpha = new Float64Array(next.length);
    const beta = new Float64Array(next.length);
    mu[0] = 0;
    kappa[0] = p.kappa0;
    alpha[0] = p.alpha0;
    beta[0] = p.beta0;
    for (let r = 1; r < next.length; r++) {
      const j = Math.min(r - 1, k - 1);
      const kp = this.kappa[j] as number;
      const m0 = this.mu[j] as number;
      mu[r] = (kp * m0 + x) / (kp + 1);
      kappa[r] = kp + 1;
      alpha[r] = (this.alpha[j] as number) + 0.5;
      beta[r] = (this.beta[j] as number) + (kp * (x - m0) ** 2) / (2 * (kp + 1));
    }
    let keep = next.length;
    for (let r = 0; r < next.length; r++) next[r] = (next[r] as number) / total;
    while (keep > 1 && (next[keep - 1] as number) < 1e-10) keep--;
    this.probs = next.slice(0, keep);
    this.mu = mu.slice(0, keep);
    this.kappa = kappa.slice(0, keep);
    this.alpha = alpha.slice(0, keep);
    this.beta = beta.slice(0, keep);

    if (this.n <= p.minSamples) return 0;
    let short = 0;
    for (let r = 0; r < Math.min(p.shortRun, keep); r++) short += this.probs[r] as number;
    return clampScore(short);
  }
}

/** Student-t predictive density of the normal-gamma posterior. */
function studentT(x: number, mu: number, kappa: number, alpha: number, beta: number): number {
  const nu = 2 * alpha;
  const scale2 = (beta * (kappa + 1)) / (alpha * kappa);
  const z = ((x - mu) * (x - mu)) / (nu * scale2);
  const logC = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * Math.log(nu * Math.PI * scale2);
  return Math.exp(logC - ((nu + 1) / 2) * Math.log1p(z));
}

/** log Γ(x) by Lanczos (g = 7, 9 terms). */
function lgamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const y = x - 1;
  let a = c[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

export const bocpdPlugin: DetectorPlugin<BocpdParams> = {
  summary: 'Bayesian online change-point detection (Adams & MacKay), normal-gamma model',
  defaults: { lambda: 250, maxRunLength: 400, shortRun: 5, kappa0: 1, alpha0: 1, beta0: 1, minSamples: 30 },
  create: (p) => new Bocpd(p),
};
