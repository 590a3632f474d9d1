#!/usr/bin/env node
// bench/nab: detection quality of every Shakedown detector on the shared NAB subset,
// scored by Shakedown's NAB scorer (which reproduces NAB's per-file scores exactly), next
// to the null and random baselines and to NAB's own published HTM results on the same
// files, re-scored the same way (one threshold per profile for this subset).
//
// Usage: npm run build && node bench/nab/bench.mjs
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { machine, root, writeResultsSection } from '../lib.mjs';

const bin = join(root, 'bin', 'shakedown.js');
const { detectorRegistry } = await import(join(root, 'dist', 'detect', 'registry.js'));
const { loadCorpus } = await import(join(root, 'dist', 'detect', 'nab', 'eval-nab.js'));
const { readCsvColumns } = await import(join(root, 'dist', 'detect', 'nab', 'corpus.js'));
const { scoreCorpus } = await import(join(root, 'dist', 'detect', 'nab', 'evaluate.js'));

function evalNab(args) {
  const r = spawnSync(process.execPath, [bin, 'eval', 'nab', ...args, '--json', '--quiet'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`shakedown eval nab ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout)[0];
}

const rows = [];
for (const type of detectorRegistry().types()) {
  const variants = ['null', 'random', 'ensemble', 'range'].includes(type) ? [[]] : [[], ['--likelihood']];
  for (const extra of variants) {
    const args = ['--detector', type, ...extra];
    const r = evalNab(args);
    rows.push({
      name: `${type}${extra.length ? ' + likelihood' : ''}`,
      cmd: `shakedown eval nab ${args.join(' ')}`,
      r,
    });
    console.error(
      `${rows.at(-1).name}: ${r.standard.toFixed(1)} / ${r.lowFp.toFixed(1)} / ${r.lowFn.toFixed(1)}`,
    );
  }
}

// NAB's published HTM ("numenta") anomaly scores for these files, scored by our scorer.
const corpus = loadCorpus();
const htm = corpus.files.map((f) => {
  const [category, file] = f.name.split('/');
  const cols = readCsvColumns(join(corpus.dir, 'reference', 'numenta', category, `numenta_${file}`), [
    'anomaly_score',
  ]);
  return Float64Array.from(cols.anomaly_score, Number);
});
const htmScores = Object.fromEntries(
  scoreCorpus(corpus.files, htm, corpus.profiles).map((p) => [p.profile, p.score]),
);

rows.sort((a, b) => b.r.standard - a.r.standard);
const m = machine();
const fmt = (x) => x.toFixed(1);
const table = [
  '| detector | standard | low FP | low FN | time (35 files) | command |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...rows.map(
    ({ name, cmd, r }) =>
      `| ${name} | ${fmt(r.standard)} | ${fmt(r.lowFp)} | ${fmt(r.lowFn)} | ${(r.elapsedMs / 1000).toFixed(1)} s | \`${cmd}\` |`,
  ),
  `| *NAB's published HTM scores, same files* | ${fmt(htmScores.standard)} | ${fmt(htmScores.reward_low_FP_rate)} | ${fmt(htmScores.reward_low_FN_rate)} | – | (reference/numenta results, scored by our scorer) |`,
];
const best = rows[0];
const md = `
## Anomaly detection quality — NAB (\`bench/nab\`)

Command: \`npm run build && node bench/nab/bench.mjs\` (each row's own command is in the table).
Run on ${new Date().toISOString().slice(0, 10)}: ${m.cpu}, Node ${m.node}. Data: the shared NAB subset
(${best.r.files} series, ${best.r.rows} rows, ${best.r.windows} anomaly windows: artificialNoAnomaly,
artificialWithAnomaly, realAWSCloudwatch, realTraffic), read from \`../shared/data/nab\`.

Scoring is NAB's (probation, windows, scaled sigmoid, three cost profiles, one threshold per profile swept
over every distinct score of the corpus, normalised so that null = 0 and perfect = 100); our scorer
reproduces NAB's published per-file scores to 3 decimals (\`src/detect/nab/nab-reference.test.ts\`).
Every detector runs with one parameter set for the whole corpus, a fresh instance per series, values in
order, and no look-ahead: no file-wide minimum or maximum (NAB gives its detectors both) and no file
length (NAB's detectors size their learning period from it).

${table.join('\n')}

Best: **${best.name} ${fmt(best.r.standard)} standard** (target ≥ 70). For reference, NAB's public scoreboard on
the full 58-file corpus (standard / low FP / low FN): ARTime 74.9/65.1/80.4, Numenta HTM 70.5/62.6/75.2,
CAD OSE 69.9/67.0/73.2, KNN CAD 58.0, Relative Entropy 54.6, Windowed Gaussian 39.6, Bayesian changepoint
17.7, random 11.0, null 0. These are subset figures: the part of NAB kept aside (not in the shared data)
is what tells whether they generalise; nothing here was tuned per file. Honest caveat: the ensemble's
members (windowed Gaussian, Holt-Winters, EWMA) and the likelihood's learning period (150 + 50 records
instead of nupic's 288 + 100) were chosen while looking at these subset scores — global choices, one for
every file, but chosen on this data, so read the subset figure as optimistic.
`;
console.log(`wrote ${writeResultsSection('nab', md)}`);
