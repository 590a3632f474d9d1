import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import v8 from 'node:v8';
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { runLoadTest } from '../../load/engine.js';
import { type LoadFlags, loadConfigFromFlags, parseThresholdFlag } from '../../load/from-flags.js';
import { loadConfigFromSpec } from '../../load/from-spec.js';
import type { LoadConfig } from '../../load/model.js';
import type { Output } from '../../load/output.js';
import { JsonFileOutput } from '../../load/outputs/json-file.js';
import { ProgressOutput } from '../../load/outputs/progress.js';
import type { LoadSummary } from '../../load/summary.js';
import { formatSummary } from '../../load/summary-text.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import {
  noStoreOption,
  type StoreFlags,
  storeOption,
  storeOutputFor,
  tagOption,
} from '../../store/load-flags.js';
import type { CliContext } from '../context.js';
import { collect, integer, nonNegativeInteger, positiveInteger } from '../options.js';

interface LoadOptions extends LoadFlags, StoreFlags {
  out?: string;
  quiet?: boolean;
  json?: boolean;
  scenario?: string[];
  baseUrl?: string;
}

const urlOnly: Array<keyof LoadOptions> = [
  'vus',
  'rate',
  'duration',
  'executor',
  'maxVus',
  'think',
  'stage',
  'iterations',
  'method',
  'header',
  'body',
  'expect',
  'timeout',
  'poisson',
  'maxQueue',
  'gracefulStop',
];

export function registerLoad(program: Command, ctx: CliContext): void {
  program
    .command('load')
    .summary('generate load: 10,000+ VUs, open or closed model, thresholds')
    .description(
      "Run a load test against a URL (quick test driven by flags) or the scenarios of a spec's load: section. Latency in open models (arrival-rate executors) counts from the intended start time, so a stalled server shows in the percentiles (no coordinated omission); service time is kept too.",
    )
    .argument('[target]', 'a URL (http://…) or a spec file', 'shakedown.yaml')
    .option('--vus <n>', 'VUs (closed models) or pre-allocated VUs (arrival-rate)', positiveInteger)
    .option('--rate <rate>', 'arrival rate such as 500/s; implies constant-arrival-rate')
    .option('--duration <d>', 'test duration such as 30s or 1m30s (default 10s)')
    .option(
      '--executor <name>',
      'constant-vus | ramping-vus | constant-arrival-rate | ramping-arrival-rate | shared-iterations | per-vu-iterations',
    )
    .option('--max-vus <n>', 'VU pool limit for arrival-rate executors (default: --vus)', positiveInteger)
    .option('--think <t>', 'think time after each iteration: 1s, 1s-3s (uniform) or exp:2s (exponential)')
    .option(
      '--stage <d:target>',
      'a stage such as 30s:1000 (repeatable); implies ramping-vus, or ramping-arrival-rate with --rate',
      collect,
    )
    .option('--iterations <n>', 'iterations (shared-iterations, per-vu-iterations)', positiveInteger)
    .option('--threshold <t>', 'k6 threshold such as "http_req_duration: p(99)<250" (repeatable)', collect)
    .option('-X, --method <m>', 'HTTP method (default GET)')
    .option('-H, --header <h>', 'request header "Name: value" (repeatable)', collect)
    .option('--body <text>', 'request body')
    .option('--expect <statuses>', 'expected statuses, comma-separated (default 200-399)')
    .option('--timeout <d>', 'request timeout (default 60s)')
    .option('--poisson', 'Poisson arrivals instead of evenly spaced ones (arrival-rate)')
    .option(
      '--max-queue <n>',
      'starts that may wait for a free VU before being dropped (default: 2 s of starts)',
      nonNegativeInteger,
    )
    .option('--graceful-stop <d>', 'time in-flight iterations get to finish at the end (default 30s)')
    .option('--workers <n>', 'worker threads (default: half the cores, 1–8)', positiveInteger)
    .option('--scenario <name>', 'spec mode: run only this scenario (repeatable)', collect)
    .option('--base-url <url>', 'spec mode: override load.baseUrl')
    .option('--seed <n>', 'random seed, for repeatable request mixes and think times', integer)
    .option('--allow-remote', 'allow targets that are not loopback addresses')
    .option('--out <file>', 'write the summary as JSON to this file')
    .option('--json', 'print the summary as JSON on stdout instead of text')
    .option('-q, --quiet', 'no progress line (also off when stderr is not a terminal)')
    .addOption(storeOption())
    .addOption(noStoreOption())
    .addOption(tagOption())
    .addHelpText(
      'after',
      `
Examples:
  shakedown load http://127.0.0.1:8080/ --vus 100 --duration 30s --think 1s
  shakedown load http://127.0.0.1:8080/api --rate 500/s --duration 1m --vus 50 --max-vus 200
  shakedown load http://127.0.0.1:8080/ --stage 30s:1000 --stage 1m:1000 --stage 10s:0
  shakedown load shakedown.yaml --threshold "http_req_failed: rate<0.01" --out summary.json

Exit codes: 0 passed, 2 usage or spec error, 3 target unreachable, 99 thresholds failed, 130 interrupted.`,
    )
    .action(async (target: string, options: LoadOptions) => {
      const config = buildConfig(target, options, ctx);
      const outputs: Output[] = [];
      if (!options.quiet && ctx.stderr.isTTY) outputs.push(new ProgressOutput(ctx.stderr));
      if (options.out) outputs.push(new JsonFileOutput(resolve(ctx.cwd, options.out)));
      const stored = await storeOutputFor(options, ctx);
      if (stored) outputs.push(stored.output);
      const summary = await runWithInterrupts(config, outputs, ctx).finally(() => stored?.close());
      if (stored) ctx.stderr.write(stored.message());
      if (options.json) ctx.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else
        ctx.stdout.write(formatSummary(summary, { color: Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR }));
      ctx.setExitCode(exitCodeFor(summary));
    });
}

function buildConfig(target: string, options: LoadOptions, ctx: CliContext): LoadConfig {
  if (/^https?:\/\//i.test(target)) {
    for (const k of ['scenario', 'baseUrl'] as const) {
      if (options[k] !== undefined)
        throw usageError('E_USAGE', `--${k === 'baseUrl' ? 'base-url' : k} applies to spec mode only`);
    }
    return loadConfigFromFlags(target, options);
  }
  const path = resolve(ctx.cwd, target);
  if (!existsSync(path) && target === 'shakedown.yaml') {
    throw usageError(
      'E_USAGE',
      'no target: give a URL or a spec file (no shakedown.yaml here)',
      'shakedown load http://127.0.0.1:8080/ --vus 10 --duration 30s',
    );
  }
  const used = urlOnly.filter((k) => options[k] !== undefined);
  if (used.length > 0) {
    throw usageError(
      'E_USAGE',
      `${used.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} appl${used.length > 1 ? 'y' : 'ies'} to URL mode; in spec mode, set them in the spec's scenarios`,
    );
  }
  const loaded = loadSpecFile(path);
  const section = loaded.spec.load;
  if (!section) throw usageError('E_NO_LOAD', `${path} has no load: section`);
  const config = loadConfigFromSpec(section, {
    baseDir: loaded.dir,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  if (options.allowRemote) config.allowRemote = true;
  if (options.threshold) config.thresholds.push(...options.threshold.map(parseThresholdFlag));
  if (options.scenario) {
    const unknown = options.scenario.filter((n) => !config.scenarios.some((s) => s.name === n));
    if (unknown.length) {
      throw usageError(
        'E_SCENARIO',
        `unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}`,
        `scenarios in the spec: ${config.scenarios.map((s) => s.name).join(', ')}`,
      );
    }
    config.scenarios = config.scenarios.filter((s) => options.scenario?.includes(s.name));
  }
  return config;
}

/**
 * A load process lives with thousands of VUs whose iterations keep making short-lived
 * garbage; left to its defaults V8 lets the old space grow to ~3× the live set between full
 * collections. Growing it by at most 50 % keeps peak RSS near the live set (10,000 VUs in
 * under 300 MB) for about 10 % more CPU. Process-wide, so only the CLI's load commands set
 * it; SHAKEDOWN_HEAP_GROWING_PERCENT overrides (0 keeps V8's default).
 */
export function tuneHeapForLoad(env: NodeJS.ProcessEnv): void {
  const pct =
    env.SHAKEDOWN_HEAP_GROWING_PERCENT === undefined ? 50 : Number(env.SHAKEDOWN_HEAP_GROWING_PERCENT);
  if (Number.isFinite(pct) && pct > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(pct)}`);
}

/** Runs a load test; first Ctrl-C stops gracefully (summary of what was measured), a second exits at once. */
export async function runWithInterrupts(
  config: LoadConfig,
  outputs: Output[],
  ctx: CliContext,
): Promise<LoadSummary> {
  tuneHeapForLoad(ctx.env);
  const stop = new AbortController();
  let interrupts = 0;
  const off = ctx.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      ctx.stderr.write(
        '\ninterrupted: stopping, waiting for in-flight requests (Ctrl-C again to quit now)\n',
      );
      stop.abort();
    } else {
      process.exit(ExitCode.interrupted);
    }
  });
  try {
    return (await runLoadTest(config, { outputs, signal: stop.signal })).summary;
  } finally {
    off();
  }
}

export function exitCodeFor(s: LoadSummary): number {
  if (s.status === 'aborted') return ExitCode.interrupted;
  if (s.thresholds.some((t) => !t.ok)) return ExitCode.thresholdsFailed;
  if (s.requests > 0 && s.errorsByClass.connect === s.requests) return ExitCode.unreachable;
  return ExitCode.ok;
}
