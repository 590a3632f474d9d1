// Progressive delivery, measured: (1) the canary judge's false failures and power, as
// bench/regression measures `compare`; (2) how fast a regressed canary is rolled back on
// the example shop — regression onset (the slow version's first traffic) to full rollback
// (weights back on the stable version) — against Flagger's control loop; (3) repeated
// canaries of an identical version, promoted through every step, counting false rollbacks.
//
//   npm run build && node bench/rollout/bench.mjs [--trials 500] [--slow-runs 5] [--aa-runs 20] [--no-write]
//
// (2) and (3) run the shop on the local platform in this process (mesh + real replicas),
// with the rollout's own built-in load (300 requests/s on the mesh's internal listener).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../../dist/core/random.js';
import { rolloutFromEntry } from '../../dist/delivery/from-spec.js';
import { runRollout } from '../../dist/delivery/run-rollout.js';
import { onFreePorts } from '../../dist/platform/free-ports.js';
import { LocalPlatform } from '../../dist/platform/local.js';
import { loadSpecFile } from '../../dist/spec/load-spec.js';
import { rolloutSchema } from '../../dist/spec/sections/rollout.js';
import { machine, median, root, writeResultsSection } from '../lib.mjs';
import { distribution } from '../regression/simulate.mjs';
import { evaluate } from './judge.mjs';

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);
const trials = opt('trials', 500);
const slowRuns = opt('slow-runs', 5);
const aaRuns = opt('aa-runs', 20);
const seed = opt('seed', 42);
const write = !args.includes('--no-write');
const pct = (k, n) => `${((100 * k) / n).toFixed(1)} %`;

// (1) the judge ----------------------------------------------------------------------------
const r = createRandom(seed);
const cases = [
  {
    label: 'A/A, 60 s, 50 % (as bench/regression: ~200 req/s a side)',
    seconds: 60,
    weight: 0.5,
    shift: 0,
    n: trials,
  },
  { label: 'A/B p50 +10 %, 60 s, 50 %', seconds: 60, weight: 0.5, shift: 0.1, n: 200 },
  { label: 'A/B p50 +5 %, 60 s, 50 %', seconds: 60, weight: 0.5, shift: 0.05, n: 200 },
  { label: 'A/A, 20 s step at weight 20 %', seconds: 20, weight: 0.2, shift: 0, n: trials },
  {
    label: 'A/A, 20 s at 20 %, without equal-sample thinning',
    seconds: 20,
    weight: 0.2,
    shift: 0,
    n: 200,
    equalize: false,
  },
  { label: 'A/B p50 +10 %, 20 s step at 20 %', seconds: 20, weight: 0.2, shift: 0.1, n: 200 },
  { label: 'A/B p50 +10 %, 30 s step at 20 %', seconds: 30, weight: 0.2, shift: 0.1, n: 200 },
  { label: 'A/B p50 +20 %, 10 s step at 20 %', seconds: 10, weight: 0.2, shift: 0.2, n: 200 },
];
const judged = cases.map((c) => {
  console.error(`judge: ${c.label}…`);
  return {
    ...c,
    ...evaluate(r, {
      trials: c.n,
      seconds: c.seconds,
      weight: c.weight,
      shift: c.shift,
      equalize: c.equalize ?? true,
    }),
  };
});

// (2) and (3) on the shop ------------------------------------------------------------------
async function shop(delays) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rollout-'));
  const spec = onFreePorts(loadSpecFile(join(root, 'examples', 'shop', 'shakedown.yaml')));
  spec.spec.services.orders.env = { ...spec.spec.services.orders.env, ORDERS_DB: join(dir, 'orders.db') };
  spec.spec.services.catalog.versions.v1.env = { CATALOG_DELAY_MS: String(delays.v1) };
  spec.spec.services.catalog.versions.v2.env = { CATALOG_DELAY_MS: String(delays.v2) };
  return LocalPlatform.start(spec, {
    stateDir: join(dir, 'state'),
    env: { ...process.env, DATABASE_URL: '' },
    readyTimeoutMs: 30_000,
  });
}

function canary(version, stableVersion) {
  return rolloutFromEntry(
    'catalog',
    rolloutSchema.parse({
      version,
      stableVersion,
      scaleDownDelay: '1s',
      abortScaleDownDelay: '1s',
      load: { url: '/products?page=3', listener: 'internal', rate: '300/s' },
      analyses: { judge: { interval: '10s', metrics: [{ name: 'judge', provider: { type: 'judge' } }] } },
      canary: {
        steps: [
          { setWeight: 20 },
          { analysis: { templates: ['judge'] } },
          { setWeight: 50 },
          { analysis: { templates: ['judge'] } },
        ],
      },
    }),
  );
}

console.error(`shop: ${slowRuns} canaries of a 20 % slower v2…`);
const slow = [];
{
  const platform = await shop({ v1: 10, v2: 12 });
  try {
    for (let i = 0; i < slowRuns; i++) {
      const run = await runRollout(platform, canary('v2', 'v1'));
      const m = run.events.find((e) => e.kind === 'analysis.measurement');
      const p50 = m?.data.detail?.metrics?.find((x) => x.metric === 'latency_p50_ms');
      slow.push({
        ok: run.ok,
        step: run.status.step,
        onset: run.figures.onsetToRollbackS,
        windowClose: run.figures.windowCloseToRollbackS,
        decision: run.figures.rollbackS,
        shift: p50?.effect?.relative ?? null,
      });
      console.error(
        `  run ${i + 1}: ${run.status.phase} at step ${run.status.step + 1}, onset → rollback ${run.figures.onsetToRollbackS} s`,
      );
    }
  } finally {
    await platform.stop();
  }
}

console.error(`shop: ${aaRuns} canaries of an identical version…`);
const aa = [];
{
  const platform = await shop({ v1: 10, v2: 10 });
  try {
    let stable = 'v1';
    for (let i = 0; i < aaRuns; i++) {
      const next = stable === 'v1' ? 'v2' : 'v1';
      const run = await runRollout(platform, canary(next, stable));
      aa.push({
        ok: run.ok,
        steps: run.status.step,
        durationS: run.figures.durationS,
        reason: run.status.abortReason,
        scores: run.events.filter((e) => e.kind === 'analysis.measurement').map((e) => e.data.value),
      });
      console.error(
        `  run ${i + 1}: ${stable} → ${next} ${run.status.phase}${run.ok ? '' : `: ${run.status.abortReason}`}`,
      );
      if (run.ok) stable = next;
    }
  } finally {
    await platform.stop();
  }
}

// Report -----------------------------------------------------------------------------------
const mach = machine();
const md = [];
md.push('## Progressive delivery — `bench/rollout`');
md.push('');
md.push(
  `Command: \`npm run build && node bench/rollout/bench.mjs --trials ${trials} --slow-runs ${slowRuns} --aa-runs ${aaRuns} --seed ${seed}\``,
);
md.push(`Run on ${new Date().toISOString().slice(0, 10)}: ${mach.cpu}, Node ${mach.node}.`);
md.push('');
md.push('### The canary judge: false failures (A/A) and power (A/B)');
md.push('');
md.push(
  `Synthetic traffic of bench/regression (log-normal body, median ${distribution.bodyMedianMs} ms, Pareto tail, ${100 * distribution.errorRate} % errors), ~400 requests/s split between stable and canary by the weight, per-second mesh windows of both versions through the code a rollout runs: \`versionSeconds\` (equal-sample thinning) → \`judgeCanary\` with the \`judge\` provider's defaults (p50 with the dispersion check, p99, error rate critical; Holm at 98 %, tolerance 5 %; pass ≥ 90, marginal ≥ 75). "Fail" is what the controller rolls back on.`,
);
md.push('');
md.push('| case | trials | fail | marginal | pass | p50 flagged | ms / judgement |');
md.push('| ---- | -----: | ---: | -------: | ---: | ----------: | -------------: |');
for (const j of judged)
  md.push(
    `| ${j.label} | ${j.trials} | **${pct(j.fail, j.trials)}** (${j.fail}) | ${j.marginal} | ${j.pass} | ${j.p50Flagged} | ${j.msPerJudgement.toFixed(1)} |`,
  );
md.push('');
const aaMain = judged[0];
const power = judged[1];
const row = (label) => judged.find((j) => j.label.startsWith(label));
const rate = (j) => pct(j.fail, j.trials);
md.push(
  `A/A false-failure rate **${rate(aaMain)}** (target ≤ 2 %); a 10 % p50 shift fails the canary in **${rate(power)}** of trials (target ≥ 95 %), both in bench/regression's setting (60 one-second windows, ~200 requests/s on each side). A rollout step is shorter and its canary gets less traffic: at weight 20 % a 20 s step fails a 10 % shift in ${rate(row('A/B p50 +10 %, 20 s'))} of trials, a 30 s step in ${rate(row('A/B p50 +10 %, 30 s'))}, and a 10 s step catches a 20 % shift in ${rate(row('A/B p50 +20 %, 10 s'))}; identical versions fail ${rate(row('A/A, 20 s step'))} of 20 s steps. Without thinning, the canary's smaller per-second samples look more spread out and the dispersion check fails identical versions in ${rate(row('A/A, 20 s at 20 %, without'))} of trials — why the judge thins.`,
);
md.push('');
md.push('### Rollback of a regressed canary on the shop');
md.push('');
const on = slow.map((s) => s.onset).filter((x) => x !== null);
const wc = slow.map((s) => s.windowClose).filter((x) => x !== null);
md.push(
  `The example shop on the local platform; catalog v1 answers after 10 ms, v2 after 12 ms (20 % slower, same code); a canary of 20 % then 50 % with a 10 s judge analysis after each weight, the rollout's own load at 300 requests/s. **Regression onset → full rollback** is from v2's first traffic (setWeight 20) to the weights back on v1, from the rollout's events.`,
);
md.push('');
md.push(
  '| run | outcome | failed at step | p50 shift seen | onset → rollback | analysis window close → rollback | decision → weights back |',
);
md.push(
  '| --: | ------- | -------------: | -------------: | ---------------: | -------------------------------: | ----------------------: |',
);
slow.forEach((s, i) => {
  md.push(
    `| ${i + 1} | ${s.ok ? 'promoted (missed)' : 'rolled back'} | ${s.step + 1} | ${s.shift === null ? '–' : `+${(100 * s.shift).toFixed(1)} %`} | ${s.onset} s | ${s.windowClose} s | ${s.decision} s |`,
  );
});
md.push('');
md.push(
  `Median onset → rollback **${median(on).toFixed(1)} s** (the 10 s analysis window, the ~1.5 s the mesh takes to hand over a second's windows, the judgement and one weight change); weights back ${median(wc).toFixed(1)} s after the window closes (target ≤ 10 s). Flagger cannot run here (it needs Kubernetes and a mesh's CRDs), so it is not measured side by side: its control loop checks a canary once per analysis \`interval\` — 1 minute by default — and rolls back after \`threshold\` failed checks, so by construction it takes at least 60 s (times the threshold) from onset to rollback with its defaults.`,
);
md.push('');
md.push('### Identical canaries: promoted through every step');
md.push('');
const promoted = aa.filter((a) => a.ok).length;
md.push(
  `${aaRuns} canaries of an identical catalog (both versions 10 ms), alternating v1 → v2 and v2 → v1, same steps and load as above: **${promoted} of ${aaRuns} promoted through every step, ${aaRuns - promoted} false rollback${aaRuns - promoted === 1 ? '' : 's'}**${
    aa.some((a) => !a.ok)
      ? ` (${aa
          .filter((a) => !a.ok)
          .map((a) => a.reason)
          .join('; ')})`
      : ''
  }. Median rollout ${median(aa.map((a) => a.durationS)).toFixed(1)} s; canary scores seen: ${[...new Set(aa.flatMap((a) => a.scores))].sort((x, y) => x - y).join(', ')}.`,
);

const text = md.join('\n');
console.log(text);
if (write) console.error(`wrote ${writeResultsSection('rollout', text)}`);
