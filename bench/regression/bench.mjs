// Regression detection, measured: false regressions between equal runs (A/A), detection
// power for p50 shifts (A/B), and change-point quality on the Turing Change Point Dataset
// (TCPD) with the benchmark's own metrics, next to the zero baseline (no change points).
//
//   npm run build && node bench/regression/bench.mjs [--trials 200] [--seed 42] [--no-write]
//
// Runs are synthetic but realistic (see simulate.mjs); they go through the same code as
// `shakedown compare` (compareRuns: per-second values, Mann-Whitney U, Hodges-Lehmann,
// tolerance 5 %, dispersion, Holm over the family, 98 % confidence). TCPD goes through the
// same detector as `shakedown trend` with its defaults (window 50, p 0.001), one setting for
// every series.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRandom } from '../../dist/core/random.js';
import { compareRuns } from '../../dist/regression/compare-runs.js';
import { detectChangePoints } from '../../dist/stats/change-points.js';
import { covering, fMeasure } from '../../dist/stats/segmentation-metrics.js';
import { machine, root, writeResultsSection } from '../lib.mjs';
import { distribution, simulateRun } from './simulate.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const trials = opt('trials', 200);
const seed = opt('seed', 42);
const write = !args.includes('--no-write');

function sharedData() {
  const candidates = [
    process.env.SHAKEDOWN_SHARED_DATA,
    resolve(root, '..', 'shared', 'data'),
    '/work/shared/data',
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(resolve(p, 'tcpd', 'annotations.json')));
  if (!found) {
    console.error(`TCPD data not found (looked in ${candidates.join(', ')}); set SHAKEDOWN_SHARED_DATA`);
    process.exit(4);
  }
  return found;
}

const pct = (x, d = 1) => `${(100 * x).toFixed(d)} %`;

/** One-sided 95 % Clopper-Pearson upper bound of a rate with k events in n trials. */
function upperBound95(k, n) {
  if (k >= n) return 1;
  const cdf = (p) => {
    // P(X ≤ k) for X ~ Binomial(n, p), summed in log space.
    let s = 0;
    for (let i = 0; i <= k; i++) {
      let lc = 0;
      for (let j = 1; j <= i; j++) lc += Math.log((n - i + j) / j);
      s += Math.exp(lc + i * Math.log(p) + (n - i) * Math.log1p(-p));
    }
    return s;
  };
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

// A/A and A/B ---------------------------------------------------------------------------
function comparisons(shiftFraction, n, r, { bootstrap = 0 } = {}) {
  const shiftMs = shiftFraction * distribution.bodyMedianMs;
  let regressed = 0;
  let byLocation = 0;
  let byDispersion = 0;
  let p50Regressed = 0;
  let bootCovers = 0;
  let bootTotal = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const a = simulateRun(r, { id: `a${i}` });
    const b = simulateRun(r, { id: `b${i}`, shiftMs });
    const rep = compareRuns(a, b, { random: r, bootstrapIterations: bootstrap });
    if (rep.verdict === 'regressed') regressed++;
    const reg = rep.metrics.filter((m) => m.verdict === 'regressed');
    if (reg.some((m) => !m.reason.startsWith('spread'))) byLocation++;
    else if (reg.length) byDispersion++;
    if (rep.metrics.some((m) => m.metric === 'latency_p50_ms' && m.verdict === 'regressed')) p50Regressed++;
    for (const m of rep.metrics) {
      if (!m.bootstrap) continue;
      bootTotal++;
      if (m.bootstrap.lower <= 0 && m.bootstrap.upper >= 0) bootCovers++;
    }
  }
  return {
    n,
    regressed,
    byLocation,
    byDispersion,
    p50Regressed,
    bootCoverage: bootTotal ? bootCovers / bootTotal : null,
    msPerComparison: (performance.now() - t0) / n,
  };
}

const r = createRandom(seed);
console.error(`A/A: ${trials} comparisons of 60-window runs…`);
const aa = comparisons(0, trials, r, { bootstrap: 1000 });
const shifts = [0.02, 0.05, 0.1, 0.2];
const ab = shifts.map((s) => {
  console.error(`A/B: p50 +${100 * s} %, ${trials} trials…`);
  return { shift: s, ...comparisons(s, trials, r) };
});

// TCPD ------------------------------------------------------------------------------------
const data = sharedData();
const tcpd = resolve(data, 'tcpd');
const annotations = JSON.parse(readFileSync(resolve(tcpd, 'annotations.json'), 'utf8'));
const methods = {
  'shakedown trend (defaults)': (s) => detectChangePoints(s).map((c) => c.index),
  'Hunter t-test, no autocorrelation allowance': (s) =>
    detectChangePoints(s, { autocorrelation: false }).map((c) => c.index),
  zero: () => [],
};
const perSeries = [];
const totals = Object.fromEntries(Object.keys(methods).map((m) => [m, { f1: 0, cover: 0 }]));
const files = readdirSync(resolve(tcpd, 'datasets'))
  .filter((f) => f.endsWith('.json'))
  .sort();
for (const f of files) {
  const d = JSON.parse(readFileSync(resolve(tcpd, 'datasets', f), 'utf8'));
  const series = d.series[0].raw.map(Number);
  const ann = annotations[d.name];
  const row = { name: d.name, n: d.n_obs };
  for (const [m, fn] of Object.entries(methods)) {
    const cps = fn(series);
    const f1 = fMeasure(ann, cps, 5).f;
    const cover = covering(ann, cps, d.n_obs);
    totals[m].f1 += f1;
    totals[m].cover += cover;
    row[m] = { f1, cover, cps: cps.length };
  }
  perSeries.push(row);
}
for (const m of Object.keys(methods)) {
  totals[m].f1 /= files.length;
  totals[m].cover /= files.length;
}

// Report ----------------------------------------------------------------------------------
const mach = machine();
const md = [];
md.push('## Regression detection — `bench/regression`');
md.push('');
md.push(`Command: \`npm run build && node bench/regression/bench.mjs --trials ${trials} --seed ${seed}\``);
md.push(`Run on ${new Date().toISOString().slice(0, 10)}: ${mach.cpu}, Node ${mach.node}.`);
md.push('');
md.push('### Compare: false regressions (A/A) and power (A/B)');
md.push('');
md.push(
  `Each trial compares two synthetic runs of 60 one-second windows, ~${distribution.requestsPerSecond} requests/s, latency from a log-normal body (median ${distribution.bodyMedianMs} ms, σ ${distribution.bodySigma}) plus a heavy Pareto tail (${100 * distribution.tailShare} % of requests, from ${distribution.tailFromMs} ms, α ${distribution.tailAlpha}), ${100 * distribution.errorRate} % errors, through \`compareRuns\` with the defaults of \`shakedown compare\` (98 % family-wise confidence, tolerance 5 %, all six metrics). A/B adds the shift to every request of the candidate (a pure location shift of p50).`,
);
md.push('');
md.push(
  '| trials | candidate | regression found | by a location test | by the dispersion check only | p50 flagged | ms / comparison |',
);
md.push(
  '| -----: | --------- | ---------------: | -----------------: | ---------------------------: | ----------: | --------------: |',
);
const line = (label, x) =>
  `| ${x.n} | ${label} | **${pct(x.regressed / x.n)}** (${x.regressed}) | ${x.byLocation} | ${x.byDispersion} | ${x.p50Regressed} | ${x.msPerComparison.toFixed(0)} |`;
md.push(line('A/A (same distribution)', aa));
for (const x of ab) md.push(line(`A/B p50 +${100 * x.shift} %`, x));
md.push('');
const ten = ab.find((x) => x.shift === 0.1);
md.push(
  `A/A false-regression rate **${pct(aa.regressed / aa.n)}** (${aa.regressed} of ${aa.n}; one-sided 95 % upper bound ${pct(upperBound95(aa.regressed, aa.n))}; target ≤ 2 %); a 10 % p50 shift is detected in **${pct(ten.regressed / ten.n)}** of trials (target ≥ 95 %). Power curve (2 / 5 / 10 / 20 %): ${ab.map((x) => pct(x.regressed / x.n, 0)).join(' / ')}. The 5 % tolerance is the knee: a shift right at the tolerance is caught in roughly half to two thirds of trials, by design; smaller shifts are not regressions.`,
);
if (aa.bootCoverage !== null) {
  md.push(
    `Bootstrap (1000 resamples of windows) 98 % intervals of whole-run p50/p90/p99 differences contained 0 in ${pct(aa.bootCoverage)} of A/A cases (nominal 98 %).`,
  );
}
md.push('');
md.push('### Trend: change points on TCPD');
md.push('');
md.push(
  `${files.length} series of \`../shared/data/tcpd\`, metrics implemented after TCPDBench's \`metrics.py\` (F1 with margin 5, index 0 counted for truth and prediction, precision against the union of annotators, recall averaged over annotators; segmentation covering averaged over annotators), averaged over series. One setting for every series: the defaults of \`shakedown trend\` (E-divisive means, window 50, p 0.001, split then merge). The row without the autocorrelation allowance is Hunter's / Otava's test as published.`,
);
md.push('');
md.push('| method | F1 | covering |');
md.push('| ------ | -: | -------: |');
for (const m of Object.keys(methods))
  md.push(`| ${m} | **${totals[m].f1.toFixed(3)}** | ${totals[m].cover.toFixed(3)} |`);
md.push('');
md.push(
  `Target F1 ≥ 0.70 (published over the full corpus: binseg 0.698, pelt 0.674, bocpd 0.662, zero 0.645; covering binseg 0.672, zero 0.566).`,
);
md.push('');
md.push('<details><summary>Per series (F1 / covering / change points)</summary>');
md.push('');
md.push(`| series | n | ${Object.keys(methods).join(' | ')} |`);
md.push(
  `| --- | --: | ${Object.keys(methods)
    .map(() => '---')
    .join(' | ')} |`,
);
for (const row of perSeries) {
  md.push(
    `| ${row.name} | ${row.n} | ${Object.keys(methods)
      .map((m) => `${row[m].f1.toFixed(3)} / ${row[m].cover.toFixed(3)} / ${row[m].cps}`)
      .join(' | ')} |`,
  );
}
md.push('');
md.push('</details>');

const text = md.join('\n');
console.log(text);
if (write) console.error(`wrote ${writeResultsSection('regression', text)}`);
