import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { evaluateNab, headlineScores, loadCorpus, type NabEvaluation } from '../../detect/nab/eval-nab.js';
import { type DetectorSpec, detectorRegistry } from '../../detect/registry.js';
import type { CliContext } from '../context.js';
import { collect } from '../options.js';

interface EvalNabOptions {
  detector: string;
  param?: string[];
  likelihood?: boolean;
  data?: string;
  json?: boolean;
  perFile?: boolean;
  quiet?: boolean;
}

export function registerEval(program: Command, ctx: CliContext): void {
  const evalCmd = program
    .command('eval')
    .summary('score detectors on public labelled data (NAB)')
    .description(
      'Evaluate Shakedown’s anomaly detectors on public benchmark data with the published metric.',
    );
  evalCmd
    .command('nab')
    .summary('score a detector on the Numenta Anomaly Benchmark')
    .description(
      'Runs a streaming detector over every labelled series of a NAB corpus (one parameter set for all, a fresh instance per series, values in order, no look-ahead) and scores it with the NAB scorer: per profile one threshold for the corpus, normalised so the null detector scores 0 and a perfect one 100.',
    )
    .requiredOption(
      '--detector <name>',
      `detector type, a comma-separated list, or "all" (${detectorRegistry().types().join(', ')})`,
    )
    .option('--param <k=v>', 'detector parameter such as window=288 (repeatable)', collect)
    .option('--likelihood', 'post-process raw scores into log anomaly likelihoods (with the range check)')
    .option(
      '--data <dir>',
      'NAB corpus directory (data/, labels/combined_windows.json, profiles.json); default: the shared data',
    )
    .option('--per-file', 'also print each file’s standard score and counts')
    .option('--json', 'print the results as JSON')
    .option('-q, --quiet', 'no progress line')
    .addHelpText(
      'after',
      `
Examples:
  shakedown eval nab --detector ensemble
  shakedown eval nab --detector windowed-gaussian --likelihood --param window=1000
  shakedown eval nab --detector all --json > nab.json

Exit codes: 0 scored, 2 unknown detector or parameter, 4 corpus not found.`,
    )
    .action((options: EvalNabOptions) => {
      const specs = detectorSpecs(options);
      const corpus = loadCorpus(options.data, ctx.env);
      const progress = !options.quiet && !options.json && Boolean(ctx.stderr.isTTY);
      const results: NabEvaluation[] = [];
      for (const spec of specs) {
        results.push(
          evaluateNab(corpus, spec, (name, i, n) => {
            if (progress) ctx.stderr.write(`\r\x1b[K${spec.type}: ${i + 1}/${n} ${name}`);
          }),
        );
        if (progress) ctx.stderr.write('\r\x1b[K');
      }
      if (options.json)
        ctx.stdout.write(
          `${JSON.stringify(
            results.map((r) => toJson(r, options.perFile)),
            null,
            2,
          )}\n`,
        );
      else ctx.stdout.write(formatText(results, options.perFile));
      ctx.setExitCode(ExitCode.ok);
    });
}

function detectorSpecs(o: EvalNabOptions): DetectorSpec[] {
  const registry = detectorRegistry();
  const names = o.detector === 'all' ? registry.types() : o.detector.split(',').map((s) => s.trim());
  const params: Record<string, number> = {};
  for (const p of o.param ?? []) {
    const m = /^([A-Za-z][\w]*)=(.+)$/.exec(p);
    const v = m ? Number(m[2]) : Number.NaN;
    if (!m || !Number.isFinite(v)) throw usageError('E_USAGE', `--param expects name=number, got "${p}"`);
    params[m[1] as string] = v;
  }
  if (names.length > 1 && Object.keys(params).length > 0) {
    throw usageError('E_USAGE', '--param applies to a single --detector');
  }
  return names.map((type) => {
    registry.get(type); // unknown names fail here, listing the known ones
    return {
      type,
      ...(Object.keys(params).length ? { params } : {}),
      ...(o.likelihood ? { likelihood: true } : {}),
    };
  });
}

function label(spec: DetectorSpec): string {
  const params = spec.params
    ? ` ${Object.entries(spec.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : '';
  return `${spec.type}${spec.likelihood ? ' +likelihood' : ''}${params}`;
}

function toJson(r: NabEvaluation, perFile = false) {
  return {
    detector: r.detector,
    ...headlineScores(r),
    files: r.files,
    rows: r.rows,
    windows: r.windows,
    elapsedMs: r.elapsedMs,
    profiles: r.profiles.map((p) => ({
      profile: p.profile,
      score: p.score,
      threshold: p.threshold,
      raw: p.raw,
      rawNull: p.rawNull,
      rawPerfect: p.rawPerfect,
      ...(perFile ? { files: p.files } : {}),
    })),
  };
}

function formatText(results: NabEvaluation[], perFile = false): string {
  const first = results[0] as NabEvaluation;
  const lines = [
    `NAB corpus ${first.dataDir}: ${first.files} files, ${first.rows} rows, ${first.windows} windows`,
    '',
    `${'detector'.padEnd(36)} ${'standard'.padStart(9)} ${'low FP'.padStart(9)} ${'low FN'.padStart(9)} ${'threshold'.padStart(10)} ${'time'.padStart(8)}`,
  ];
  for (const r of results) {
    const h = headlineScores(r);
    const thr = r.profiles.find((p) => p.profile === 'standard')?.threshold ?? Number.NaN;
    lines.push(
      `${label(r.detector).padEnd(36)} ${h.standard.toFixed(1).padStart(9)} ${h.lowFp.toFixed(1).padStart(9)} ${h.lowFn.toFixed(1).padStart(9)} ${thr.toFixed(4).padStart(10)} ${`${(r.elapsedMs / 1000).toFixed(1)}s`.padStart(8)}`,
    );
    if (perFile) {
      const std = r.profiles.find((p) => p.profile === 'standard');
      for (const f of std?.files ?? []) {
        lines.push(`    ${f.file.padEnd(58)} ${f.score.toFixed(3).padStart(8)}  tp ${f.tp} fp ${f.fp}`);
      }
    }
  }
  lines.push(
    '',
    'Scores: 0 = null detector, 100 = perfect (NAB normalisation; profiles standard, reward_low_FP_rate, reward_low_FN_rate).',
  );
  return `${lines.join('\n')}\n`;
}
