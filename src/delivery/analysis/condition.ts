import { usageError } from '../../core/errors.js';

/**
 * Success and failure conditions of absolute checks, in a deliberately small language:
 * comparisons of the measured value with a literal — `result >= 0.99`, `>= 0.99` (the
 * `result` may be left out), `result == "ok"`, `result != false` — joined by `&&` (all) or
 * `||` (any), not both in one condition. Written by hand because Argo's `expr` language is
 * far more than a threshold needs, and an unknown construct must be an error when the spec
 * loads, not when the rollout is half way.
 */
export type Literal = number | string | boolean;

type Op = '>=' | '<=' | '==' | '!=' | '>' | '<';

interface Comparison {
  op: Op;
  literal: Literal;
}

export interface Condition {
  /** As written, for messages. */
  source: string;
  join: 'all' | 'any';
  comparisons: Comparison[];
}

const comparisonRe = /^(?:result\s*)?(>=|<=|==|!=|>|<)\s*(.+)$/;

function parseLiteral(text: string, source: string): Literal {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(t) ?? /^'((?:[^'\\]|\\.)*)'$/.exec(t);
  if (quoted) return (quoted[1] as string).replace(/\\(.)/g, '$1');
  const pct = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) return Number(pct[1]) / 100;
  const n = Number(t);
  if (t !== '' && Number.isFinite(n)) return n;
  throw conditionError(source, `"${t}" is not a number, a quoted string, true or false`);
}

/** Parses a condition; a usage error says what is wrong and what is expected. */
export function parseCondition(source: string): Condition {
  const text = source.trim();
  if (text === '') throw conditionError(source, 'it is empty');
  const hasAnd = text.includes('&&');
  const hasOr = text.includes('||');
  if (hasAnd && hasOr) throw conditionError(source, 'mixing && and || is not supported');
  const parts = text.split(hasOr ? '||' : '&&').map((p) => p.trim());
  const comparisons = parts.map((p) => {
    const m = comparisonRe.exec(p);
    if (!m) throw conditionError(source, `"${p}" is not a comparison such as "result >= 0.99"`);
    return { op: m[1] as Op, literal: parseLiteral(m[2] as string, source) };
  });
  return { source: text, join: hasOr ? 'any' : 'all', comparisons };
}

function compare(value: Literal, c: Comparison): boolean {
  const { op, literal } = c;
  if (op === '==') return value === literal;
  if (op === '!=') return value !== literal;
  if (typeof value !== 'number' || typeof literal !== 'number') return false;
  if (op === '>=') return value >= literal;
  if (op === '<=') return value <= literal;
  if (op === '>') return value > literal;
  return value < literal;
}

/** Whether `value` meets the condition. Ordering a non-number is false, never an error. */
export function evaluateCondition(condition: Condition, value: Literal): boolean {
  const results = condition.comparisons.map((c) => compare(value, c));
  return condition.join === 'all' ? results.every(Boolean) : results.some(Boolean);
}

/**
 * Argo's reading of a measured value against the two conditions: with only a success
 * condition, not meeting it fails; with only a failure condition, not meeting it succeeds;
 * with both, meeting neither is inconclusive (the failure condition wins when both hold).
 */
export function judgeValue(
  value: Literal,
  conditions: { success?: Condition; failure?: Condition },
): { phase: 'successful' | 'failed' | 'inconclusive'; message: string } {
  const shown = typeof value === 'number' ? formatNumber(value) : JSON.stringify(value);
  const { success, failure } = conditions;
  if (failure && evaluateCondition(failure, value))
    return { phase: 'failed', message: `${shown} meets the failure condition "${failure.source}"` };
  if (success) {
    if (evaluateCondition(success, value))
      return { phase: 'successful', message: `${shown} meets "${success.source}"` };
    return failure
      ? {
          phase: 'inconclusive',
          message: `${shown} meets neither "${success.source}" nor "${failure.source}"`,
        }
      : { phase: 'failed', message: `${shown} does not meet "${success.source}"` };
  }
  return failure
    ? { phase: 'successful', message: `${shown} does not meet the failure condition "${failure.source}"` }
    : { phase: 'successful', message: `${shown} (no condition)` };
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 0.001 || a >= 1e6) ? x.toExponential(3) : String(Number(x.toPrecision(6)));
}

function conditionError(source: string, why: string) {
  return usageError(
    'E_ROLLOUT_CONDITION',
    `invalid condition ${JSON.stringify(source)}: ${why}`,
    'write a comparison of the measured value, e.g. "result >= 0.99", "<= 500", "result == \\"ok\\"", joined by && or ||',
  );
}
