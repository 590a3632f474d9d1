import { type ChangePoint, detectChangePoints } from '../stats/change-points.js';
import type { MetricDefinition } from './metrics.js';
import { type GroupKey, groupLabel, mergeSeconds, PreparedRun, type RunData } from './series.js';

/**
 * `shakedown trend` as pure functions: one value per run (the whole-run value of a metric
 * for a group: percentiles from the merged histograms), change points over that history
 * (E-divisive means with a t-test, split then merge, as Hunter / Apache Otava), and
 * whether a recent change point is a regression.
 */
export interface TrendPoint {
  runId: string;
  startMs: number;
  value: number;
  gitSha: string | null;
  gitBranch: string | null;
}

export interface TrendChange {
  /** Index in the history of the first run after the change. */
  index: number;
  runId: string;
  /** Start of that run (ms since the epoch). */
  startMs: number;
  gitSha: string | null;
  meanBefore: number;
  meanAfter: number;
  stdBefore: number;
  stdAfter: number;
  /** (after / before − 1) × 100. */
  changePercent: number;
  pValue: number;
  kind: 'regression' | 'improvement';
}

export interface TrendOptions {
  windowLength: number;
  maxPValue: number;
  minMagnitude: number;
  /** A regression among the last this-many runs fails (default 5). */
  recentRuns: number;
  /** A change point fails only if its change is at least this fraction (default 0.05, as compare). */
  tolerance: number;
}

export const defaultTrendOptions: TrendOptions = {
  windowLength: 50,
  maxPValue: 0.001,
  minMagnitude: 0,
  recentRuns: 5,
  tolerance: 0.05,
};

export interface TrendReport {
  metric: string;
  unit: string;
  group: GroupKey;
  groupLabel: string;
  points: TrendPoint[];
  changePoints: TrendChange[];
  /** The newest regressing change point (≥ tolerance) among the last `recentRuns` runs, if any. */
  regression: TrendChange | null;
  options: TrendOptions;
}

/** The whole-run value of `metric` for `group`, or undefined when the run has none. */
export function runValue(run: RunData, group: GroupKey, metric: MetricDefinition): number | undefined {
  const seconds = new PreparedRun(run).secondsOf(group);
  if (seconds.length === 0) return undefined;
  const v = metric.value(mergeSeconds(seconds));
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

function kindOf(cp: ChangePoint, metric: MetricDefinition): 'regression' | 'improvement' {
  const up = cp.meanAfter > cp.meanBefore;
  if (metric.badDirection === 'either') return 'regression';
  return (metric.badDirection === 'increase') === up ? 'regression' : 'improvement';
}

export function trendOf(
  points: readonly TrendPoint[],
  metric: MetricDefinition,
  group: GroupKey,
  options: Partial<TrendOptions> = {},
): TrendReport {
  const o = { ...defaultTrendOptions, ...options };
  const values = points.map((p) => p.value);
  const cps = detectChangePoints(values, {
    windowLength: o.windowLength,
    maxPValue: o.maxPValue,
    minMagnitude: o.minMagnitude,
  });
  const changePoints = cps.map((cp): TrendChange => {
    const at = points[cp.index] as TrendPoint;
    return {
      index: cp.index,
      runId: at.runId,
      startMs: at.startMs,
      gitSha: at.gitSha,
      meanBefore: cp.meanBefore,
      meanAfter: cp.meanAfter,
      stdBefore: cp.stdBefore,
      stdAfter: cp.stdAfter,
      changePercent: cp.forwardChange * 100,
      pValue: cp.pValue,
      kind: kindOf(cp, metric),
    };
  });
  const firstRecent = points.length - o.recentRuns;
  const regression =
    [...changePoints]
      .reverse()
      .find(
        (c) =>
          c.kind === 'regression' && c.index >= firstRecent && Math.abs(c.changePercent) >= 100 * o.tolerance,
      ) ?? null;
  return {
    metric: metric.name,
    unit: metric.unit,
    group,
    groupLabel: groupLabel(group),
    points: [...points],
    changePoints,
    regression,
    options: o,
  };
}
