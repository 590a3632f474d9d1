import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { usageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { createRandom } from '../../core/random.js';
import { parseDurationMs } from '../../core/units.js';
import { compareRuns } from '../../regression/compare-runs.js';
import { comparisonFormats } from '../../regression/format-compare.js';
import { parseHookCommand, parseHookUrl, triggerHooks } from '../../regression/hook.js';
import { defaultMetricNames, metricRegistry } from '../../regression/metrics.js';
import { resolveRun } from '../../regression/resolve-run.js';
import { LazyStore } from '../../store/cli-store.js';
import type { CliContext } from '../context.js';
import { collect, integer, nonNegativeInteger, positiveInteger } from '../options.js';

interface CompareOptions {
  store?: string;
  format: string;
  json?: boolean;
  out?: string;
  confidence?: number;
  tolerance?: number;
  metric?: string[];
  depth?: 'overall' | 'scenario' | 'request';
  minWindows?: number;
  dispersionRatio?: number;
  bootstrap?: number;
  warmup?: string;
  seed?: number;
  failOnInconclusive?: boolean;
  hookCmd?: string;
  hookUrl?: string;
  hookTimeout?: string;
}

/** "98%", "98" or "0.98" → 0.98 (a fraction strictly between 0 and 1). */
export function fractionArg(what: string, allowZero = false) {
  return (value: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
    let x = m ? Number(m[1]) : Number.NaN;
    if (m && (m[2] === '%' || x > 1)) x /= 100;
    if (!(x < 1 && (allowZero ? x >= 0 : x > 0))) {
      throw new InvalidArgumentError(`expected ${what} such as 98% or 0.98, got "${value}"`);
    }
    return x;
  };
}

function ratioArg(value: string): number {
  const x = Number(value);
  if (!(x === 0 || x >= 1))
    throw new InvalidArgumentError(`expected 0 (off) or a ratio ≥ 1 such as 1.5, got "${value}"`);
  return x;
}

export function registerCompare(program: Command, ctx: CliContext): void {
  program
    .command('compare')
    .summary('judge a candidate run against a baseline, with statistical confidence')
    .description(
      'Compare two runs metric by metric (latency p50/p90/p99/mean, error rate, throughput; overall, per scenario and per request): a two-sided Mann-Whitney U test on per-second values, the Hodges-Lehmann shift with its confidence interval, an effect-size tolerance, a dispersion check, and bootstrap intervals of whole-run percentile differences from the histograms. All metrics form one family (Holm), so the confidence holds for the comparison as a whole. Exits 1 when a metric regressed.',
    )
    .argument(
      '<baseline>',
      'a baseline name, a run id (or unique prefix), "latest", or an exported run file (*.json)',
    )
    .argument('<candidate>', 'the run to judge, named the same ways')
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .option('--format <format>', 'text | json | markdown | junit', 'text')
    .option('--json', 'same as --format json')
    .option('-o, --out <file>', 'also write the report to this file')
    .option(
      '--confidence <c>',
      'confidence of intervals and decisions, family-wise (default 98%)',
      fractionArg('a confidence'),
    )
    .option(
      '--tolerance <t>',
      'smallest shift that counts, relative to the baseline median (default 5%)',
      fractionArg('a tolerance', true),
    )
    .option(
      '--metric <name>',
      `metric to judge (repeatable; default all: ${defaultMetricNames.join(', ')})`,
      collect,
    )
    .option('--depth <depth>', 'overall | scenario | request (default request: every level)')
    .option(
      '--min-windows <n>',
      'fewer per-second values than this on a side is inconclusive (default 5)',
      positiveInteger,
    )
    .option(
      '--dispersion-ratio <r>',
      'flag a significant growth of spread by this ratio of MADs; 0 turns it off (default 1.5)',
      ratioArg,
    )
    .option(
      '--bootstrap <n>',
      'bootstrap resamples for percentile differences; 0 turns it off (default 1000)',
      nonNegativeInteger,
    )
    .option('--warmup <d>', 'leave out the first seconds of each run, e.g. 2s (default 0s)')
    .option('--seed <n>', 'seed of the bootstrap resampling (default 1)', integer)
    .option('--fail-on-inconclusive', 'exit 1 also when nothing could be judged (no data)')
    .option(
      '--hook-cmd <json>',
      'on regression, run this command (a JSON array: ["./rollback.sh","prod"]) with the verdict JSON on stdin',
    )
    .option('--hook-url <url>', 'on regression, POST the verdict JSON to this URL')
    .option('--hook-timeout <d>', 'time limit of each hook (default 30s)')
    .addHelpText(
      'after',
      `
Examples:
  shakedown compare main latest
  shakedown compare 20261203-1412 20261203-1430 --format markdown -o compare.md
  shakedown compare baseline.json candidate.json --tolerance 10% --format junit -o compare.xml
  shakedown compare main latest --hook-cmd '["./rollback.sh","--env","prod"]'

Exit codes: 0 no regression (pass, improved or inconclusive), 1 regression found (or nothing judged, with --fail-on-inconclusive), 2 usage error or unknown run, 4 no results store.`,
    )
    .action(async (baselineArg: string, candidateArg: string, o: CompareOptions) => {
      const formats = comparisonFormats();
      const format = formats.get(o.json ? 'json' : o.format);
      const registry = metricRegistry();
      for (const m of o.metric ?? []) registry.get(m);
      if (o.depth !== undefined && !['overall', 'scenario', 'request'].includes(o.depth)) {
        throw usageError('E_USAGE', `--depth: expected overall, scenario or request, got "${o.depth}"`);
      }
      const hooks = {
        ...(o.hookCmd ? { command: parseHookCommand(o.hookCmd) } : {}),
        ...(o.hookUrl ? { url: parseHookUrl(o.hookUrl) } : {}),
        ...(o.hookTimeout ? { timeoutMs: parseDurationMs(o.hookTimeout, '--hook-timeout') } : {}),
      };
      await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
        const baseline = await resolveRun(baselineArg, ctx.cwd, () => lazy.get());
        const candidate = await resolveRun(candidateArg, ctx.cwd, () => lazy.get());
        const report = compareRuns(baseline.data, candidate.data, {
          random: createRandom(o.seed ?? 1),
          registry,
          ...(o.metric ? { metrics: o.metric } : {}),
          ...(o.depth ? { depth: o.depth } : {}),
          ...(o.confidence !== undefined ? { confidence: o.confidence } : {}),
          ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
          ...(o.minWindows !== undefined ? { minSamples: o.minWindows } : {}),
          ...(o.dispersionRatio !== undefined ? { dispersionRatio: o.dispersionRatio } : {}),
          ...(o.bootstrap !== undefined ? { bootstrapIterations: o.bootstrap } : {}),
          ...(o.warmup !== undefined ? { warmupMs: parseDurationMs(o.warmup, '--warmup') } : {}),
        });
        const doc = {
          report,
          baseline: { id: baseline.data.id, source: baseline.source },
          candidate: { id: candidate.data.id, source: candidate.source },
        };
        const out = format(doc);
        ctx.stdout.write(out);
        if (o.out) writeFileSync(resolve(ctx.cwd, o.out), out);
        if (report.verdict === 'regressed' && (hooks.command || hooks.url)) {
          const verdictJson = JSON.parse(comparisonFormats().get('json')(doc));
          const results = await triggerHooks(hooks, verdictJson, {
            env: ctx.env,
            log: (s) => ctx.stderr.write(s.replace(/^/gm, 'hook: ')),
          });
          for (const r of results)
            ctx.stderr.write(`hook ${r.hook}: ${r.ok ? 'ok' : 'FAILED'} — ${r.message}\n`);
        }
        const fail =
          report.verdict === 'regressed' ||
          (o.failOnInconclusive === true && report.verdict === 'inconclusive');
        if (report.verdict === 'inconclusive')
          ctx.stderr.write('warning: nothing could be judged (no data in the runs)\n');
        ctx.setExitCode(fail ? ExitCode.regression : ExitCode.ok);
      });
    });
}
