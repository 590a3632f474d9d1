import type { Labels } from '../labels.js';
import type { Sample } from '../tsdb.js';
import { type MatrixSeries, type Value, type VectorSample, withoutName } from './values.js';

/**
 * The PromQL functions of the supported subset, with Prometheus's semantics: `rate` and
 * `increase` extrapolate to the range boundaries as Prometheus's `extrapolatedRate`
 * does (counter resets corrected), `histogram_quantile` interpolates linearly inside the
 * bucket as `bucketQuantile` does.
 */
interface FunctionDef {
  min: number;
  max: number;
  apply(args: Value[], t: number): Value;
}

const vec = (samples: VectorSample[]): Value => ({ type: 'vector', samples });

function matrixArg(v: Value | undefined, fn: string): Extract<Value, { type: 'matrix' }> {
  if (v?.type !== 'matrix') throw new Error(`${fn}() expects a range vector such as metric[5m]`);
  return v;
}

function vectorArg(v: Value | undefined, fn: string): VectorSample[] {
  if (v?.type !== 'vector') throw new Error(`${fn}() expects an instant vector`);
  return v.samples;
}

function scalarArg(v: Value | undefined, fn: string): number {
  if (v?.type !== 'scalar') throw new Error(`${fn}() expects a scalar`);
  return v.value;
}

function overTime(fn: string, f: (s: Sample[]) => number): FunctionDef {
  return {
    min: 1,
    max: 1,
    apply: ([m]) =>
      vec(matrixArg(m, fn).series.map((s) => ({ labels: withoutName(s.labels), value: f(s.samples) }))),
  };
}

function extrapolated(fn: string, isCounter: boolean, isRate: boolean): FunctionDef {
  return {
    min: 1,
    max: 1,
    apply: ([m]) => {
      const mat = matrixArg(m, fn);
      const out: VectorSample[] = [];
      for (const s of mat.series) {
        const v = extrapolatedRate(s, mat.endMs - mat.rangeMs, mat.endMs, isCounter, isRate);
        if (v !== undefined) out.push({ labels: withoutName(s.labels), value: v });
      }
      return vec(out);
    },
  };
}

/** Prometheus's `extrapolatedRate` (promql/functions.go). */
export function extrapolatedRate(
  s: MatrixSeries,
  rangeStartMs: number,
  rangeEndMs: number,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const pts = s.samples;
  if (pts.length < 2) return undefined;
  const first = pts[0] as Sample;
  const last = pts[pts.length - 1] as Sample;
  let result = last.v - first.v;
  if (isCounter) {
    let prev = first.v;
    for (let i = 1; i < pts.length; i++) {
      const v = (pts[i] as Sample).v;
      if (v < prev) result += prev;
      prev = v;
    }
  }
  let durationToStart = (first.t - rangeStartMs) / 1000;
  const durationToEnd = (rangeEndMs - last.t) / 1000;
  const sampled = (last.t - first.t) / 1000;
  const avgStep = sampled / (pts.length - 1);
  if (isCounter && result > 0 && first.v >= 0) {
    const toZero = sampled * (first.v / result);
    if (toZero < durationToStart) durationToStart = toZero;
  }
  const threshold = avgStep * 1.1;
  let interval = sampled;
  interval += durationToStart < threshold ? durationToStart : avgStep / 2;
  interval += durationToEnd < threshold ? durationToEnd : avgStep / 2;
  result *= interval / sampled;
  if (isRate) result /= (rangeEndMs - rangeStartMs) / 1000;
  return result;
}

function mathFn(name: string, f: (x: number) => number): FunctionDef {
  return {
    min: 1,
    max: 1,
    apply: ([v]) =>
      vec(vectorArg(v, name).map((s) => ({ labels: withoutName(s.labels), value: f(s.value) }))),
  };
}

/** Prometheus's `bucketQuantile`: linear interpolation within the bucket. */
export function bucketQuantile(q: number, buckets: Array<{ le: number; count: number }>): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const b = [...buckets].sort((x, y) => x.le - y.le);
  if (b.length < 2 || (b[b.length - 1] as { le: number }).le !== Number.POSITIVE_INFINITY) return Number.NaN;
  // Counts must be monotonic; Prometheus fixes small violations the same way.
  for (let i = 1; i < b.length; i++)
    if ((b[i] as { count: number }).count < (b[i - 1] as { count: number }).count)
      (b[i] as { count: number }).count = (b[i - 1] as { count: number }).count;
  const total = (b[b.length - 1] as { count: number }).count;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let i = b.findIndex((x) => x.count >= rank);
  if (i === b.length - 1) return (b[b.length - 2] as { le: number }).le;
  if (i === 0 && (b[0] as { le: number }).le <= 0) return (b[0] as { le: number }).le;
  let start = 0;
  let countBefore = 0;
  if (i > 0) {
    start = (b[i - 1] as { le: number }).le;
    countBefore = (b[i - 1] as { count: number }).count;
  } else i = 0;
  const end = (b[i] as { le: number }).le;
  const inBucket = (b[i] as { count: number }).count - countBefore;
  return start + (end - start) * ((rank - countBefore) / inBucket);
}

const histogramQuantile: FunctionDef = {
  min: 2,
  max: 2,
  apply: ([qv, v]) => {
    const q = scalarArg(qv, 'histogram_quantile');
    const groups = new Map<string, { labels: Labels; buckets: Array<{ le: number; count: number }> }>();
    for (const s of vectorArg(v, 'histogram_quantile')) {
      const le = s.labels.le;
      if (le === undefined) continue;
      const { le: _, ...rest } = withoutName(s.labels);
      const key = JSON.stringify(Object.entries(rest).sort());
      let g = groups.get(key);
      if (!g) {
        g = { labels: rest, buckets: [] };
        groups.set(key, g);
      }
      g.buckets.push({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: s.value });
    }
    return vec([...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) })));
  },
};

const quantile = (q: number, xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const s = [...xs].sort((a, b) => a - b);
  const rank = q * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, s.length - 1);
  const w = rank - lo;
  return (s[lo] as number) * (1 - w) + (s[hi] as number) * w;
};

/** Prometheus's interpolated quantile over values (used by quantile and quantile_over_time). */
export { quantile as interpolatedQuantile };

const defs: Record<string, FunctionDef> = {
  rate: extrapolated('rate', true, true),
  increase: extrapolated('increase', true, false),
  delta: extrapolated('delta', false, false),
  irate: {
    min: 1,
    max: 1,
    apply: ([m]) =>
      vec(
        matrixArg(m, 'irate').series.flatMap((s) => {
          const n = s.samples.length;
          if (n < 2) return [];
          const a = s.samples[n - 2] as Sample;
          const b = s.samples[n - 1] as Sample;
          const dv = b.v < a.v ? b.v : b.v - a.v;
          return [{ labels: withoutName(s.labels), value: dv / ((b.t - a.t) / 1000) }];
        }),
      ),
  },
  avg_over_time: overTime('avg_over_time', (s) => s.reduce((a, x) => a + x.v, 0) / s.length),
  sum_over_time: overTime('sum_over_time', (s) => s.reduce((a, x) => a + x.v, 0)),
  min_over_time: overTime('min_over_time', (s) => Math.min(...s.map((x) => x.v))),
  max_over_time: overTime('max_over_time', (s) => Math.max(...s.map((x) => x.v))),
  count_over_time: overTime('count_over_time', (s) => s.length),
  last_over_time: overTime('last_over_time', (s) => (s[s.length - 1] as Sample).v),
  stddev_over_time: overTime('stddev_over_time', (s) => {
    const m = s.reduce((a, x) => a + x.v, 0) / s.length;
    return Math.sqrt(s.reduce((a, x) => a + (x.v - m) ** 2, 0) / s.length);
  }),
  quantile_over_time: {
    min: 2,
    max: 2,
    apply: ([qv, m]) => {
      const q = scalarArg(qv, 'quantile_over_time');
      return vec(
        matrixArg(m, 'quantile_over_time').series.map((s) => ({
          labels: withoutName(s.labels),
          value: quantile(
            q,
            s.samples.map((x) => x.v),
          ),
        })),
      );
    },
  },
  histogram_quantile: histogramQuantile,
  abs: mathFn('abs', Math.abs),
  ceil: mathFn('ceil', Math.ceil),
  floor: mathFn('floor', Math.floor),
  round: mathFn('round', Math.round),
  sqrt: mathFn('sqrt', Math.sqrt),
  exp: mathFn('exp', Math.exp),
  ln: mathFn('ln', Math.log),
  log2: mathFn('log2', Math.log2),
  log10: mathFn('log10', Math.log10),
  clamp_min: {
    min: 2,
    max: 2,
    apply: ([v, s]) => {
      const lo = scalarArg(s, 'clamp_min');
      return vec(
        vectorArg(v, 'clamp_min').map((x) => ({
          labels: withoutName(x.labels),
          value: Math.max(x.value, lo),
        })),
      );
    },
  },
  clamp_max: {
    min: 2,
    max: 2,
    apply: ([v, s]) => {
      const hi = scalarArg(s, 'clamp_max');
      return vec(
        vectorArg(v, 'clamp_max').map((x) => ({
          labels: withoutName(x.labels),
          value: Math.min(x.value, hi),
        })),
      );
    },
  },
  scalar: {
    min: 1,
    max: 1,
    apply: ([v]) => {
      const xs = vectorArg(v, 'scalar');
      return { type: 'scalar', value: xs.length === 1 ? (xs[0] as VectorSample).value : Number.NaN };
    },
  },
  vector: { min: 1, max: 1, apply: ([s]) => vec([{ labels: {}, value: scalarArg(s, 'vector') }]) },
  time: { min: 0, max: 0, apply: (_a, t) => ({ type: 'scalar', value: t / 1000 }) },
  absent: {
    min: 1,
    max: 1,
    apply: ([v]) => (vectorArg(v, 'absent').length === 0 ? vec([{ labels: {}, value: 1 }]) : vec([])),
  },
};

/** Number of arguments a function takes, or undefined when it is not supported. */
export function functionArity(name: string): { min: number; max: number } | undefined {
  const d = defs[name];
  return d ? { min: d.min, max: d.max } : undefined;
}

/** Applies a supported function. */
export function applyFunction(name: string, args: Value[], t: number): Value {
  const d = defs[name];
  if (!d) throw new Error(`unsupported function ${name}`);
  return d.apply(args, t);
}

/** The supported function names (README, errors). */
export function supportedFunctions(): string[] {
  return Object.keys(defs).sort();
}
