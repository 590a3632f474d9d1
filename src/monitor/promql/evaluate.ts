import { usageError } from '../../core/errors.js';
import { type Labels, labelsKey, pickLabels } from '../labels.js';
import type { MemorySeriesStore } from '../tsdb.js';
import type { ArithmeticOp, ComparisonOp, Expr, Grouping } from './ast.js';
import { applyFunction, interpolatedQuantile } from './functions.js';
import { type Value, type VectorSample, withoutName } from './values.js';

/**
 * Evaluates a parsed expression at instant `t` over a {@link MemorySeriesStore}, with
 * Prometheus's semantics for the subset: an instant selector takes each series' latest
 * sample within the 5-minute lookback, operators and functions drop the metric name,
 * vector–vector operators match one-to-one on the label set (or `on`/`ignoring`).
 */
export interface EvalOptions {
  lookbackMs?: number;
}

export function evaluate(e: Expr, store: MemorySeriesStore, t: number, o: EvalOptions = {}): Value {
  return new Evaluator(store, t, o.lookbackMs ?? 300_000).eval(e);
}

/** Evaluates and coerces to an instant vector (a scalar becomes one unlabelled sample). */
export function evaluateVector(
  e: Expr,
  store: MemorySeriesStore,
  t: number,
  o: EvalOptions = {},
): VectorSample[] {
  const v = evaluate(e, store, t, o);
  if (v.type === 'vector') return v.samples;
  if (v.type === 'scalar') return [{ labels: {}, value: v.value }];
  throw usageError('E_PROMQL', `expression must give an instant vector or a scalar, not a ${v.type}`);
}

class Evaluator {
  constructor(
    private readonly store: MemorySeriesStore,
    private readonly t: number,
    private readonly lookbackMs: number,
  ) {}

  eval(e: Expr): Value {
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', value: e.value };
      case 'string':
        return { type: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr);
      case 'selector': {
        const end = this.t - e.offsetMs;
        if (e.rangeMs !== undefined) {
          return {
            type: 'matrix',
            series: this.store.select(e.name, e.matchers, end - e.rangeMs, end),
            rangeMs: e.rangeMs,
            endMs: end,
          };
        }
        const series = this.store.select(e.name, e.matchers, end - this.lookbackMs, end);
        return {
          type: 'vector',
          samples: series.map((s) => ({
            labels: s.labels,
            value: (s.samples[s.samples.length - 1] as { v: number }).v,
          })),
        };
      }
      case 'call':
        return applyFunction(
          e.fn,
          e.args.map((a) => this.eval(a)),
          this.t,
        );
      case 'unary': {
        const v = this.eval(e.expr);
        if (e.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
        if (v.type === 'vector')
          return {
            type: 'vector',
            samples: v.samples.map((s) => ({ labels: withoutName(s.labels), value: -s.value })),
          };
        throw usageError('E_PROMQL', 'unary minus needs a scalar or an instant vector');
      }
      case 'aggregate':
        return this.aggregate(e.op, e.grouping, e.param ? this.eval(e.param) : undefined, this.eval(e.expr));
      case 'binary':
        return this.binary(e, this.eval(e.lhs), this.eval(e.rhs));
    }
  }

  private aggregate(op: string, grouping: Grouping | undefined, param: Value | undefined, v: Value): Value {
    if (v.type !== 'vector') throw usageError('E_PROMQL', `${op}() aggregates an instant vector`);
    const groups = new Map<string, { labels: Labels; values: number[]; samples: VectorSample[] }>();
    for (const s of v.samples) {
      const base = withoutName(s.labels);
      const labels = !grouping
        ? {}
        : grouping.without
          ? dropGroup(base, grouping.labels)
          : pickLabels(base, grouping.labels);
      const key = labelsKey(labels);
      let g = groups.get(key);
      if (!g) {
        g = { labels, values: [], samples: [] };
        groups.set(key, g);
      }
      g.values.push(s.value);
      g.samples.push(s);
    }
    const p = param?.type === 'scalar' ? param.value : Number.NaN;
    const out: VectorSample[] = [];
    for (const g of groups.values()) {
      const xs = g.values;
      const sum = xs.reduce((a, b) => a + b, 0);
      const mean = sum / xs.length;
      switch (op) {
        case 'sum':
          out.push({ labels: g.labels, value: sum });
          break;
        case 'avg':
          out.push({ labels: g.labels, value: mean });
          break;
        case 'min':
          out.push({ labels: g.labels, value: Math.min(...xs) });
          break;
        case 'max':
          out.push({ labels: g.labels, value: Math.max(...xs) });
          break;
        case 'count':
          out.push({ labels: g.labels, value: xs.length });
          break;
        case 'group':
          out.push({ labels: g.labels, value: 1 });
          break;
        case 'stddev':
        case 'stdvar': {
          const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
          out.push({ labels: g.labels, value: op === 'stddev' ? Math.sqrt(variance) : variance });
          break;
        }
        case 'quantile':
          out.push({ labels: g.labels, value: interpolatedQuantile(p, xs) });
          break;
        case 'topk':
        case 'bottomk': {
          const k = Math.max(0, Math.floor(p));
          const sorted = [...g.samples].sort((a, b) =>
            op === 'topk' ? b.value - a.value : a.value - b.value,
          );
          out.push(...sorted.slice(0, k));
          break;
        }
      }
    }
    return { type: 'vector', samples: out };
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>, l: Value, r: Value): Value {
    const op = e.op;
    if (op === 'and' || op === 'or' || op === 'unless') {
      if (l.type !== 'vector' || r.type !== 'vector')
        throw usageError('E_PROMQL', `"${op}" needs instant vectors on both sides`);
      const sig = (s: VectorSample) => signature(s.labels, e.matching);
      const rightSigs = new Set(r.samples.map(sig));
      if (op === 'and') return { type: 'vector', samples: l.samples.filter((s) => rightSigs.has(sig(s))) };
      if (op === 'unless')
        return { type: 'vector', samples: l.samples.filter((s) => !rightSigs.has(sig(s))) };
      const leftSigs = new Set(l.samples.map(sig));
      return { type: 'vector', samples: [...l.samples, ...r.samples.filter((s) => !leftSigs.has(sig(s)))] };
    }
    const comparison = isComparison(op);
    if (l.type === 'scalar' && r.type === 'scalar') {
      if (comparison && !e.bool)
        throw usageError('E_PROMQL', 'comparisons between scalars need the bool modifier');
      return { type: 'scalar', value: apply(op, l.value, r.value, e.bool) as number };
    }
    if (l.type === 'vector' && r.type === 'scalar')
      return { type: 'vector', samples: this.vectorScalar(op, l.samples, r.value, e.bool, false) };
    if (l.type === 'scalar' && r.type === 'vector')
      return { type: 'vector', samples: this.vectorScalar(op, r.samples, l.value, e.bool, true) };
    if (l.type === 'vector' && r.type === 'vector') {
      const right = new Map<string, VectorSample>();
      for (const s of r.samples) {
        const k = signature(s.labels, e.matching);
        if (right.has(k))
          throw usageError(
            'E_PROMQL',
            `many-to-many matching: several series on the right of "${op}" have the labels ${k.replace(/\u0000/g, '=').replace(/\u0001/g, ' ')}`,
          );
        right.set(k, s);
      }
      const out: VectorSample[] = [];
      for (const s of l.samples) {
        const m = right.get(signature(s.labels, e.matching));
        if (!m) continue;
        const v = apply(op, s.value, m.value, e.bool);
        if (v === undefined) continue;
        const keepName = comparison && !e.bool;
        let labels = keepName ? s.labels : withoutName(s.labels);
        // As Prometheus's resultMetric: one-to-one matching keeps only the on() labels
        // or drops the ignoring() ones.
        if (e.matching?.on) labels = pickLabels(labels, e.matching.labels);
        else if (e.matching) labels = dropGroup(labels, e.matching.labels);
        out.push({ labels, value: comparison && !e.bool ? s.value : v });
      }
      return { type: 'vector', samples: out };
    }
    throw usageError('E_PROMQL', `operator "${op}" does not apply to ${l.type} and ${r.type}`);
  }

  private vectorScalar(
    op: string,
    samples: VectorSample[],
    scalar: number,
    bool: boolean,
    scalarLeft: boolean,
  ): VectorSample[] {
    const out: VectorSample[] = [];
    const comparison = isComparison(op);
    for (const s of samples) {
      const v = scalarLeft ? apply(op, scalar, s.value, bool) : apply(op, s.value, scalar, bool);
      if (v === undefined) continue;
      out.push({
        labels: comparison && !bool ? s.labels : withoutName(s.labels),
        value: comparison && !bool ? s.value : v,
      });
    }
    return out;
  }
}

function dropGroup(labels: Labels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const n of names) delete out[n];
  return out;
}

function signature(labels: Labels, matching: { on: boolean; labels: string[] } | undefined): string {
  const base = withoutName(labels);
  if (!matching) return labelsKey(base);
  return labelsKey(matching.on ? pickLabels(base, matching.labels) : dropGroup(base, matching.labels));
}

function isComparison(op: string): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

/** Arithmetic result, or for comparisons 1/0 with bool and the pass/fail filter without (undefined = filtered out). */
function apply(op: string, a: number, b: number, bool: boolean): number | undefined {
  if (isComparison(op)) {
    const ok = compare(op, a, b);
    if (bool) return ok ? 1 : 0;
    return ok ? a : undefined;
  }
  switch (op as ArithmeticOp) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
  }
  return undefined;
}

function compare(op: ComparisonOp, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
  }
}
