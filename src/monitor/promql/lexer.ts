import { usageError } from '../../core/errors.js';

/**
 * Tokens of PromQL. Hand-written (with the parser) because no maintained JavaScript
 * PromQL parser exists that evaluates; the grammar subset is small.
 */
export type TokenKind = 'ident' | 'number' | 'string' | 'duration' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const durationRe = /^(?:\d+(?:ms|s|m|h|d|w|y))+/;
const numberRe = /^(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
const identRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const ops = ['==', '!=', '<=', '>=', '=~', '!~', '+', '-', '*', '/', '%', '^', '<', '>', '='];
const puncts = ['(', ')', '{', '}', '[', ']', ','];

/** Splits a PromQL expression into tokens; errors quote the expression and the position. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let inBrackets = false;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const rest = src.slice(i);
    if (c === '"' || c === "'" || c === '`') {
      const { value, end } = readString(src, i);
      out.push({ kind: 'string', text: value, pos: i });
      i = end;
      continue;
    }
    // Durations appear inside [] and after `offset`; elsewhere digits are numbers.
    const prev = out[out.length - 1];
    const durationContext = inBrackets || (prev?.kind === 'ident' && prev.text === 'offset');
    if (durationContext) {
      const d = durationRe.exec(rest);
      if (d) {
        out.push({ kind: 'duration', text: d[0], pos: i });
        i += d[0].length;
        continue;
      }
    }
    const n = numberRe.exec(rest);
    if (n && /[0-9.]/.test(c)) {
      out.push({ kind: 'number', text: n[0], pos: i });
      i += n[0].length;
      continue;
    }
    const id = identRe.exec(rest);
    if (id) {
      out.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const op = ops.find((o) => rest.startsWith(o));
    if (op) {
      out.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    if (puncts.includes(c)) {
      if (c === '[') inBrackets = true;
      if (c === ']') inBrackets = false;
      out.push({ kind: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    throw promqlError(src, i, `unexpected character "${c}"`);
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

function readString(src: string, start: number): { value: string; end: number } {
  const q = src[start] as string;
  let i = start + 1;
  let value = '';
  while (i < src.length) {
    const c = src[i] as string;
    if (c === q) return { value, end: i + 1 };
    if (c === '\\' && q !== '`') {
      const n = src[i + 1];
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
      if (n !== undefined && map[n] !== undefined) {
        value += map[n];
        i += 2;
        continue;
      }
      // Keep other escapes (\d, \. …) for regular expressions.
      value += c + (n ?? '');
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw promqlError(src, start, 'unterminated string');
}

/** A usage error pointing into the expression. */
export function promqlError(src: string, pos: number, message: string) {
  const caret = `${' '.repeat(Math.min(pos, 80))}^`;
  return usageError(
    'E_PROMQL',
    `invalid PromQL at position ${pos + 1}: ${message}\n  ${src.slice(0, 120)}\n  ${caret}`,
  );
}
