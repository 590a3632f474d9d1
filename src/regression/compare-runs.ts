import type { Random } from '../core/random.js';
import type { Registry } from '../core/registry.js';
import { bootstrapPercentileDifferences, type PercentileDifference } from '../stats/bootstrap.js';
import {
  defaultJudgeOptions,
  type FamilyMember,
  type JudgeOptions,
  judgeMetrics,
  type MetricJudgement,
  overallVerdict,
  type Verdict,
} from '../stats/verdict.js';
import { defaultMetricNames, type MetricDefinition, metricRegistry } from './metrics.js';
import { type GroupKey, groupId, groupLabel, PreparedRun, type RunData } from './series.js';

/**
 * `shakedown compare` as a pure function: two runs in, a verdict per metric per group and
 * overall out. Per-second values of each metric go to the judge (Mann-Whitney U, the
 * Hodges-Lehmann shift and its interval, tolerance, dispersion), all metrics of all groups
 * as one family (Holm), so `confidence` bounds the chance that equal runs fail at all.
 * Latency percentiles also get a bootstrap interval of the whole-run percentile
 * difference from the histograms (reported; the verdict rests on the per-second test).
 */
export interface CompareOptions extends Partial<JudgeOptions> {
  /** Metric names (default: p50, p90, p99, mean latency, error rate, throughput). */
  metrics?: readonly string[];
  /** How deep to break down: the whole run, also scenarios, also requests (default). */
  depth?: 'overall' | 'scenario' | 'request';
  /** Bootstrap resamples for percentile differences; 0 turns the bootstrap off (default 1000). */
  bootstrapIterations?: number;
  /** Leave out the windows of the first `warmupMs` of each run (default 0). */
  warmupMs?: number;
  random: Random;
  registry?: Registry<MetricDefinition>;
}

export interface MetricComparison extends MetricJudgement {
  metric: string;
  unit: string;
  group: GroupKey;
  groupLabel: string;
  /** Whole-run percentile difference with a bootstrap interval (latency percentiles). */
  bootstrap: PercentileDifference | null;
}

export interface ComparisonReport {
  verdict: Verdict;
  baseline: { id: string; seconds: number };
  candidate: { id: string; seconds: number };
  options: JudgeOptions & { metrics: string[]; depth: string; bootstrapIterations: number; warmupMs: number };
  metrics: MetricComparison[];
  /** `metric (group)` of every regression, for messages. */
  regressions: string[];
  counts: Record<Verdict, number>;
  /** Tests in the family that Holm's adjustment covered (location and dispersion). */
  tests: number;
}

const depthOf = (g: GroupKey) => (g.request !== undefined ? 2 : g.scenario !== undefined ? 1 : 0);

export function compareRuns(
  baseline: RunData,
  candidate: RunData,
  options: CompareOptions,
): ComparisonReport {
  const registry = options.registry ?? metricRegistry();
  const names = [...(options.metrics ?? defaultMetricNames)];
  const defs = names.map((n) => registry.get(n));
  const judge: JudgeOptions = {
    confidence: options.confidence ?? defaultJudgeOptions.confidence,
    tolerance: options.tolerance ?? defaultJudgeOptions.tolerance,
    absoluteTolerance: options.absoluteTolerance ?? defaultJudgeOptions.absoluteTolerance,
    minSamples: options.minSamples ?? defaultJudgeOptions.minSamples,
    dispersionRatio: options.dispersionRatio ?? defaultJudgeOptions.dispersionRatio,
  };
  const depth = options.depth ?? 'request';
  const maxDepth = depth === 'overall' ? 0 : depth === 'scenario' ? 1 : 2;
  const iterations = options.bootstrapIterations ?? 1000;
  const warmupMs = options.warmupMs ?? 0;
  const b = new PreparedRun(baseline, warmupMs);
  const c = new PreparedRun(candidate, warmupMs);

  // Groups of either run, baseline order first; a group only one run has is judged as no-data.
  const groups = new Map<string, GroupKey>();
  for (const g of [...b.groups(), ...c.groups()]) if (depthOf(g) <= maxDepth) groups.set(groupId(g), g);
  if (groups.size === 0) groups.set(groupId({}), {});

  const members: FamilyMember[] = [];
  const meta: Array<Omit<MetricComparison, keyof MetricJudgement>> = [];
  for (const g of groups.values()) {
    const sb = b.secondsOf(g);
    const sc = c.secondsOf(g);
    const percentiles = defs.filter((d) => d.percentile !== undefined).map((d) => d.percentile as number);
    const boot =
      iterations > 0 && percentiles.length > 0
        ? bootstrapPercentileDifferences(
            sb.map((s) => s.latency),
            sc.map((s) => s.latency),
            { percentiles, confidence: judge.confidence, iterations, random: options.random },
          )
        : [];
    for (const d of defs) {
      const values = (xs: typeof sb) => xs.map((s) => d.value(s)).filter((v): v is number => v !== undefined);
      members.push({
        baseline: values(sb),
        candidate: values(sc),
        spec: { badDirection: d.badDirection, effect: d.effect, dispersion: d.dispersion },
        options: { absoluteTolerance: Math.max(judge.absoluteTolerance, d.absoluteTolerance) },
      });
      meta.push({
        metric: d.name,
        unit: d.unit,
        group: g,
        groupLabel: groupLabel(g),
        bootstrap: boot.find((x) => x.percentile === d.percentile && x.iterations > 0) ?? null,
      });
    }
  }
  const metrics: MetricComparison[] = judgeMetrics(members, judge).map((j, i) => ({
    ...j,
    ...(meta[i] as Omit<MetricComparison, keyof MetricJudgement>),
  }));
  const counts: Record<Verdict, number> = { pass: 0, regressed: 0, improved: 0, inconclusive: 0 };
  for (const m of metrics) counts[m.verdict]++;
  return {
    verdict: overallVerdict(metrics.map((m) => m.verdict)),
    baseline: { id: baseline.id, seconds: b.seconds },
    candidate: { id: candidate.id, seconds: c.seconds },
    options: { ...judge, metrics: names, depth, bootstrapIterations: iterations, warmupMs },
    metrics,
    regressions: metrics.filter((m) => m.verdict === 'regressed').map((m) => `${m.metric} (${m.groupLabel})`),
    counts,
    tests: metrics.reduce((n, m) => n + (m.state === 'judged' ? 1 + (m.dispersion ? 1 : 0) : 0), 0),
  };
}
