import { usageError } from '../../core/errors.js';
import { parseDurationMs } from '../../core/units.js';

/**
 * A probe's tolerance, written as a comparison: `"< 250ms"`, `"<= 5%"`, `">= 99.9%"`,
 * `"== 200"`. Durations become ms, percentages fractions, so one tolerance reads the same
 * in a spec and in a report. Pure.
 */
export type ToleranceOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Tolerance {
  op: ToleranceOp;
  /** ms for durations, a fraction for percentages, else the number as written. */
  value: number;
  /** As written, for reports. */
  text: string;
}

const toleranceRe = /^\s*(<=|>=|==|!=|<|>)\s*([0-9][0-9._]*\s*(?:%|[a-zµ]+)?)\s*$/;

/** Parses a tolerance; throws a usage error showing the expected shape. */
export function parseTolerance(text: string): Tolerance {
  const m = toleranceRe.exec(text);
  if (!m) {
    throw usageError(
      'E_CHAOS_TOLERANCE',
      `invalid tolerance "${text}": expected a comparison such as "< 250ms", "<= 5%" or ">= 99.9%"`,
    );
  }
  const op = m[1] as ToleranceOp;
  const raw = (m[2] as string).replace(/_/g, '').replace(/\s+/g, '');
  let value: number;
  // Rounded so that "99.9%" is 0.999, not 0.9990000000000001.
  if (raw.endsWith('%')) value = Number((Number(raw.slice(0, -1)) / 100).toPrecision(12));
  else if (/[a-zµ]$/.test(raw)) value = parseDurationMs(raw, 'tolerance');
  else value = Number(raw);
  if (!Number.isFinite(value)) {
    throw usageError('E_CHAOS_TOLERANCE', `invalid tolerance "${text}": "${raw}" is not a number`);
  }
  return { op, value, text: text.trim() };
}

/** Whether `value` is within the tolerance. */
export function withinTolerance(value: number, t: Tolerance): boolean {
  switch (t.op) {
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
    case '==':
      return value === t.value;
    case '!=':
      return value !== t.value;
  }
}
