import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { usageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { parseDurationMs } from '../../core/units.js';
import { parseHookCommand, parseHookUrl, triggerHooks } from '../../regression/hook.js';
import { defaultMetricNames, metricRegistry } from '../../regression/metrics.js';
import { toRunData } from '../../regression/resolve-run.js';
import type { GroupKey } from '../../regression/series.js';
import { runValue, type TrendPoint, type TrendReport, trendOf } from '../../regression/trend.js';
import { LazyStore } from '../../store/cli-store.js';
import { parseTags } from '../../store/load-flags.js';
import type { RunQuery } from '../../store/types.js';
import type { CliContext } from '../context.js';
import { collect, positiveInteger } from '../options.js';

interface TrendOptions {
  store?: string;
  scenario?: string;
  request?: string;
  kind: string;
  branch?: string;
  tag?: string[];
  specHash?: string;
  allSpecs?: boolean;
  last: number;
  window?: number;
  p?: number;
  minChange?: number;
  recent?: number;
  tolerance?: number;
  includeAborted?: boolean;
  series?: boolean;
  json?: boolean;
  hookCmd?: string;
  hookUrl?: string;
  hookTimeout?: string;
}

function probability(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 1))
    throw new InvalidArgumentError(`expected a p-value in (0, 1) such as 0.001, got "${value}"`);
  return x;
}

function nonNegativeNumber(value: string): number {
  const x = Number(value.replace(/%$/, '')) / (value.endsWith('%') ? 100 : 1);
  if (!(x >= 0)) throw new InvalidArgumentError(`expected a number ≥ 0 such as 0.05 or 5%, got "${value}"`);
  return x;
}

const when = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
const fmt = (x: number) =>
  Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(4);

function formatTrend(r: TrendReport, showSeries: boolean): string {
  const lines = [
    `${r.metric} (${r.groupLabel}) over ${r.points.length} runs` +
      (r.points.length
        ? `, ${when((r.points[0] as TrendPoint).startMs)} … ${when((r.points[r.points.length - 1] as TrendPoint).startMs)}`
        : ''),
    `E-divisive means, window ${r.options.windowLength}, p < ${r.options.maxPValue}${r.options.minMagnitude ? `, change > ${100 * r.options.minMagnitude} %` : ''}`,
    '',
  ];
  if (showSeries) {
    for (const p of r.points) lines.push(`  ${when(p.startMs)}  ${p.runId}  ${fmt(p.value)} ${r.unit}`);
    lines.push('');
  }
  if (r.changePoints.length === 0) lines.push('no change points');
  else {
    lines.push('change points:');
    const rows = [['  time', 'run', 'commit', 'before', 'after', 'change', 'p', '']];
    for (const c of r.changePoints) {
      rows.push([
        `  ${when(c.startMs)}`,
        c.runId,
        c.gitSha?.slice(0, 7) ?? '–',
        fmt(c.meanBefore),
        fmt(c.meanAfter),
        `${c.changePercent >= 0 ? '+' : ''}${c.changePercent.toFixed(1)} %`,
        c.pValue < 1e-4 ? c.pValue.toExponential(1) : c.pValue.toFixed(4),
        c.kind,
      ]);
    }
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
    for (const row of rows)
      lines.push(
        row
          .map((c, i) => c.padEnd(widths[i] as number))
          .join('  ')
          .trimEnd(),
      );
  }
  lines.push(
    '',
    r.regression
      ? `REGRESSION: ${r.metric} ${r.regression.changePercent >= 0 ? '+' : ''}${r.regression.changePercent.toFixed(1)} % since run ${r.regression.runId} (one of the last ${r.options.recentRuns} runs)`
      : `no regression (≥ ${+(100 * r.options.tolerance).toFixed(2)} %) among the last ${r.options.recentRuns} runs`,
  );
  return `${lines.join('\n')}\n`;
}

export function registerTrend(program: Command, ctx: CliContext): void {
  program
    .command('trend')
    .summary('find change points in the history of a metric (Hunter / Otava)')
    .description(
      "Take one value per recorded run (the whole-run value of the metric: percentiles from the merged histograms) and find the change points of that history with E-divisive means and a Student's t-test (windowed split, then merge of weak points, as Hunter / Apache Otava; the test allows for autocorrelation). Each change point shows when, which run, the mean before and after, the change and its p-value. Exits 1 when a regression is among the most recent runs.",
    )
    .argument('<metric>', `one of ${defaultMetricNames.join(', ')}`)
    .option('--store <path|url>', 'results store (default .shakedown/results.db, or SHAKEDOWN_STORE)')
    .option('--scenario <name>', 'the metric of this scenario only')
    .option('--request <name>', 'the metric of this request only (with --scenario)')
    .option('--kind <kind>', 'runs of this kind', 'load')
    .option('--branch <name>', 'runs of this git branch only')
    .option(
      '--tag <key=value>',
      'runs with this tag only (repeatable; environment=NAME filters the environment)',
      collect,
    )
    .option('--spec-hash <hash>', 'runs of this spec (default: the spec of the newest run; see `runs show`)')
    .option('--all-specs', 'mix runs of every spec (default: only the spec of the newest run)')
    .option('--last <n>', 'the newest n runs (default 500)', positiveInteger, 500)
    .option('--window <n>', 'points per E-divisive window (default 50)', positiveInteger)
    .option('--p <p>', 'significance of a change point (default 0.001)', probability)
    .option(
      '--min-change <x>',
      'smallest relative change of a change point, e.g. 5% (default 0: any)',
      nonNegativeNumber,
    )
    .option('--recent <n>', 'a regression among the last n runs fails (default 5)', positiveInteger)
    .option(
      '--tolerance <t>',
      'a change point fails only if it changes the metric by at least this much (default 5%)',
      nonNegativeNumber,
    )
    .option('--include-aborted', 'use aborted runs too (default: passed and failed runs)')
    .option('--series', 'print the value of every run too')
    .option('--json', 'print the report as JSON')
    .option(
      '--hook-cmd <json>',
      'on regression, run this command (a JSON array) with the report JSON on stdin',
    )
    .option('--hook-url <url>', 'on regression, POST the report JSON to this URL')
    .option('--hook-timeout <d>', 'time limit of each hook (default 30s)')
    .addHelpText(
      'after',
      `
Examples:
  shakedown trend latency_p99_ms
  shakedown trend latency_p50_ms --scenario checkout --branch main --series
  shakedown trend throughput_rps --json --hook-url https://hooks.example/rollback

Exit codes: 0 no regression among the recent runs, 1 regression found, 2 usage error, 4 no results store.`,
    )
    .action(async (metricName: string, o: TrendOptions) => {
      const metric = metricRegistry().get(metricName);
      if (o.request !== undefined && o.scenario === undefined) {
        throw usageError('E_USAGE', '--request needs --scenario (requests are named within a scenario)');
      }
      const group: GroupKey = {
        ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
        ...(o.request !== undefined ? { request: o.request } : {}),
      };
      const hooks = {
        ...(o.hookCmd ? { command: parseHookCommand(o.hookCmd) } : {}),
        ...(o.hookUrl ? { url: parseHookUrl(o.hookUrl) } : {}),
        ...(o.hookTimeout ? { timeoutMs: parseDurationMs(o.hookTimeout, '--hook-timeout') } : {}),
      };
      const { tags, environment } = parseTags(o.tag);
      await LazyStore.use(new LazyStore(o.store, ctx), async (lazy) => {
        const store = await lazy.get();
        const query: RunQuery = {
          kind: o.kind,
          limit: o.last,
          ...(o.branch ? { gitBranch: o.branch } : {}),
          ...(environment ? { environment } : {}),
          ...(o.specHash ? { specHash: o.specHash } : {}),
          ...(Object.keys(tags).length ? { tags } : {}),
        };
        // One test's history: by default the spec of the newest finished run.
        if (!o.specHash && !o.allSpecs) {
          const newest = (await store.listRuns({ ...query, limit: 20 })).find((r) => r.status !== 'running');
          if (newest?.specHash) query.specHash = newest.specHash;
        }
        // Newest `last` runs, then oldest first for the history.
        const runs = (await store.listRuns(query))
          .filter(
            (r) =>
              r.status === 'passed' || r.status === 'failed' || (o.includeAborted && r.status === 'aborted'),
          )
          .reverse();
        const points: TrendPoint[] = [];
        for (const r of runs) {
          const v = runValue(toRunData(r, await store.windows(r.id)), group, metric);
          if (v !== undefined)
            points.push({
              runId: r.id,
              startMs: r.startMs,
              value: v,
              gitSha: r.gitSha,
              gitBranch: r.gitBranch,
            });
        }
        const report = trendOf(points, metric, group, {
          ...(o.window !== undefined ? { windowLength: Math.max(2, o.window) } : {}),
          ...(o.p !== undefined ? { maxPValue: o.p } : {}),
          ...(o.minChange !== undefined ? { minMagnitude: o.minChange } : {}),
          ...(o.recent !== undefined ? { recentRuns: o.recent } : {}),
          ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
        });
        if (o.json)
          ctx.stdout.write(`${JSON.stringify({ ...report, specHash: query.specHash ?? null }, null, 2)}\n`);
        else {
          if (query.specHash)
            ctx.stdout.write(`spec ${query.specHash}${o.specHash ? '' : ' (that of the newest run)'}\n`);
          ctx.stdout.write(formatTrend(report, o.series === true));
        }
        if (points.length < 3)
          ctx.stderr.write(`warning: ${points.length} runs with data; change points need at least 3\n`);
        if (report.regression && (hooks.command || hooks.url)) {
          const results = await triggerHooks(
            hooks,
            { ...report, verdict: 'regressed', regressions: [`${report.metric} (${report.groupLabel})`] },
            { env: ctx.env, log: (s) => ctx.stderr.write(s.replace(/^/gm, 'hook: ')) },
          );
          for (const r of results)
            ctx.stderr.write(`hook ${r.hook}: ${r.ok ? 'ok' : 'FAILED'} — ${r.message}\n`);
        }
        ctx.setExitCode(report.regression ? ExitCode.regression : ExitCode.ok);
      });
    });
}
