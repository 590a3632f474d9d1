import type { Matcher } from '../labels.js';

/**
 * The PromQL subset Shakedown evaluates itself (see README, "PromQL subset"): number and
 * string literals, instant and range vector selectors with the four matchers and
 * `offset`, function calls, aggregations with `by`/`without`, unary minus, and binary
 * operators with `bool`, `on`/`ignoring` (one-to-one matching only).
 */
export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'selector'; name?: string; matchers: Matcher[]; rangeMs?: number; offsetMs: number }
  | { kind: 'call'; fn: string; args: Expr[] }
  | { kind: 'aggregate'; op: AggregateOp; grouping: Grouping | undefined; param?: Expr; expr: Expr }
  | { kind: 'unary'; op: '-' | '+'; expr: Expr }
  | { kind: 'paren'; expr: Expr }
  | {
      kind: 'binary';
      op: BinaryOp;
      lhs: Expr;
      rhs: Expr;
      bool: boolean;
      matching: VectorMatching | undefined;
    };

export const aggregateOps = [
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'group',
] as const;
export type AggregateOp = (typeof aggregateOps)[number];

export interface Grouping {
  without: boolean;
  labels: string[];
}

export interface VectorMatching {
  on: boolean;
  labels: string[];
}

export const comparisonOps = ['==', '!=', '>', '<', '>=', '<='] as const;
export type ComparisonOp = (typeof comparisonOps)[number];
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;
