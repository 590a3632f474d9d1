// The canary judge, measured as `compare` is (bench/regression): false failures between an
// identical canary and its stable version (A/A) and detection power for p50 shifts (A/B),
// on the same synthetic traffic (bench/regression/simulate.mjs: log-normal body, Pareto
// tail, rare errors), through the same code a rollout runs: the mesh-like per-second
// windows of both versions → versionSeconds (equal-sample thinning) → judgeCanary with the
// defaults of the `judge` provider (p50, p99, mean latency and error rate; Holm at 98 %,
// tolerance 5 %, dispersion check; score pass ≥ 90, marginal ≥ 75). A "failure" is what
// the controller rolls back on: the verdict fail. Marginal (a pause for a person) is
// counted separately.
//
//   npm run build && node bench/rollout/judge.mjs [--trials 200] [--seed 7]
import { recordUs } from '../../dist/core/histogram.js';
import { createRandom } from '../../dist/core/random.js';
import { createWindow } from '../../dist/core/window.js';
import { defaultJudgeConfig, judgeCanary } from '../../dist/delivery/analysis/judge.js';
import { versionSeconds } from '../../dist/delivery/analysis/seconds.js';
import { distribution, drawLatencyMs } from '../regression/simulate.mjs';

const t0 = 1_700_000_000_000;

/** Windows of catalog/v1 and /v2 for `seconds`, the canary taking `weight` of ~`rps` req/s (default 400), its requests shifted by `shiftMs`. */
export function canaryTraffic(r, { seconds, weight, shiftMs = 0, rps = 2 * distribution.requestsPerSecond }) {
  const out = [];
  for (let s = 0; s < seconds; s++) {
    const total = Math.max(2, Math.round(rps + Math.sqrt(rps) * r.normal()));
    const canary = Math.round(total * weight);
    for (const [version, n, shift] of [
      ['v1', total - canary, 0],
      ['v2', canary, shiftMs],
    ]) {
      const w = createWindow(t0 + s * 1000, 1000, { route: 'catalog', service: 'catalog', version });
      for (let i = 0; i < n; i++) {
        recordUs(w.latencyUs, drawLatencyMs(r, shift) * 1000);
        if (r.next() < distribution.errorRate) {
          w.counters.errors++;
          w.counters.failures.status5xx++;
        }
      }
      w.counters.requests = n;
      out.push(w);
    }
  }
  return out;
}

export function evaluate(r, { trials, seconds, weight, shift, rps, equalize = true }) {
  const counts = { fail: 0, marginal: 0, pass: 0, 'no-data': 0, p50Flagged: 0 };
  const t = performance.now();
  for (let i = 0; i < trials; i++) {
    const windows = canaryTraffic(r, { seconds, weight, rps, shiftMs: shift * distribution.bodyMedianMs });
    const s = versionSeconds(windows, {
      service: 'catalog',
      baselineVersion: 'v1',
      canaryVersion: 'v2',
      startMs: t0,
      endMs: t0 + seconds * 1000,
      equalize,
      random: r,
    });
    const j = judgeCanary(s.baseline, s.canary, defaultJudgeConfig);
    counts[j.verdict]++;
    if (j.metrics.some((m) => m.metric === 'latency_p50_ms' && m.classification === 'high'))
      counts.p50Flagged++;
  }
  return {
    trials,
    seconds,
    weight,
    shift,
    rps: rps ?? 2 * distribution.requestsPerSecond,
    equalize,
    ...counts,
    msPerJudgement: (performance.now() - t) / trials,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (n, d) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);
  const r = createRandom(opt('seed', 7));
  const trials = opt('trials', 200);
  for (const c of [
    { seconds: 60, weight: 0.5, shift: 0 },
    { seconds: 20, weight: 0.2, shift: 0 },
    { seconds: 20, weight: 0.2, shift: 0, equalize: false },
    { seconds: 60, weight: 0.5, shift: 0.1 },
    { seconds: 20, weight: 0.2, shift: 0.1 },
    { seconds: 20, weight: 0.2, shift: 0.05 },
  ])
    console.log(JSON.stringify(evaluate(r, { trials, ...c })));
}
