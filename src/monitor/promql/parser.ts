import { parseDurationMs } from '../../core/units.js';
import type { Matcher, MatchOp } from '../labels.js';
import {
  type AggregateOp,
  aggregateOps,
  type BinaryOp,
  type Expr,
  type Grouping,
  type VectorMatching,
} from './ast.js';
import { functionArity } from './functions.js';
import { promqlError, type Token, tokenize } from './lexer.js';

/**
 * A recursive-descent parser for the PromQL subset in {@link Expr}. Operator precedence
 * and associativity follow Prometheus: `^` (right) > `* / %` > `+ -` > comparisons >
 * `and unless` > `or`; unary minus binds looser than `^`.
 */
export function parsePromql(src: string): Expr {
  const p = new Parser(src, tokenize(src));
  const e = p.expr(0);
  p.expectEof();
  return e;
}

const precedence: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};

class Parser {
  private i = 0;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(): Token {
    return this.toks[this.i] as Token;
  }

  private next(): Token {
    return this.toks[this.i++] as Token;
  }

  private fail(message: string, t: Token = this.peek()): never {
    throw promqlError(this.src, t.pos, message);
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text || t.kind === 'string') this.fail(`expected "${text}", found ${describe(t)}`, t);
    return t;
  }

  expectEof(): void {
    if (this.peek().kind !== 'eof') this.fail(`unexpected ${describe(this.peek())}`);
  }

  private binaryOp(): string | undefined {
    const t = this.peek();
    if (t.kind === 'op' && t.text in precedence) return t.text;
    if (t.kind === 'ident' && (t.text === 'and' || t.text === 'or' || t.text === 'unless')) return t.text;
    return undefined;
  }

  expr(minPrec: number): Expr {
    let lhs = this.unary();
    for (;;) {
      const op = this.binaryOp();
      if (op === undefined) return lhs;
      const prec = precedence[op] as number;
      if (prec < minPrec) return lhs;
      this.next();
      let bool = false;
      if (this.peek().kind === 'ident' && this.peek().text === 'bool') {
        if (prec !== 3) this.fail('"bool" applies to comparison operators only');
        this.next();
        bool = true;
      }
      let matching: VectorMatching | undefined;
      const m = this.peek();
      if (m.kind === 'ident' && (m.text === 'on' || m.text === 'ignoring')) {
        this.next();
        matching = { on: m.text === 'on', labels: this.labelList() };
      }
      const g = this.peek();
      if (g.kind === 'ident' && (g.text === 'group_left' || g.text === 'group_right')) {
        this.fail(`${g.text} (many-to-one matching) is not in the supported PromQL subset`);
      }
      // ^ is right-associative, the others left-associative.
      const rhs = this.expr(op === '^' ? prec : prec + 1);
      lhs = { kind: 'binary', op: op as BinaryOp, lhs, rhs, bool, matching };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      const operand = this.expr(6);
      if (operand.kind === 'number')
        return { kind: 'number', value: t.text === '-' ? -operand.value : operand.value };
      return { kind: 'unary', op: t.text, expr: operand };
    }
    return this.postfix(this.primary());
  }

  /** `[range]` and `offset` after a selector. */
  private postfix(e: Expr): Expr {
    let out = e;
    if (this.peek().text === '[' && this.peek().kind === 'punct') {
      if (out.kind !== 'selector' || out.rangeMs !== undefined)
        this.fail('a range [..] applies to a vector selector only (subqueries are not supported)');
      this.next();
      const d = this.next();
      if (d.kind !== 'duration') this.fail(`expected a duration such as 5m, found ${describe(d)}`, d);
      this.expect(']');
      out = { ...out, rangeMs: durationMs(d.text) };
    }
    if (this.peek().kind === 'ident' && this.peek().text === 'offset') {
      if (out.kind !== 'selector') this.fail('offset applies to a vector selector only');
      this.next();
      const d = this.next();
      if (d.kind !== 'duration') this.fail(`expected a duration after offset, found ${describe(d)}`, d);
      out = { ...out, offsetMs: durationMs(d.text) };
    }
    return out;
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === 'number') return { kind: 'number', value: Number(t.text) };
    if (t.kind === 'string') return { kind: 'string', value: t.text };
    if (t.kind === 'punct' && t.text === '(') {
      const e = this.expr(0);
      this.expect(')');
      return { kind: 'paren', expr: e };
    }
    if (t.kind === 'punct' && t.text === '{') {
      this.i--;
      return { kind: 'selector', matchers: this.matchers(), offsetMs: 0 };
    }
    if (t.kind !== 'ident') this.fail(`unexpected ${describe(t)}`, t);
    const lower = t.text.toLowerCase();
    if (lower === 'inf') return { kind: 'number', value: Number.POSITIVE_INFINITY };
    if (lower === 'nan') return { kind: 'number', value: Number.NaN };
    if ((aggregateOps as readonly string[]).includes(t.text)) {
      const next = this.peek();
      if (
        (next.kind === 'punct' && next.text === '(') ||
        (next.kind === 'ident' && (next.text === 'by' || next.text === 'without'))
      ) {
        return this.aggregate(t.text as AggregateOp);
      }
    }
    if (this.peek().kind === 'punct' && this.peek().text === '(') return this.call(t);
    const matchers = this.peek().text === '{' && this.peek().kind === 'punct' ? this.matchers() : [];
    return { kind: 'selector', name: t.text, matchers, offsetMs: 0 };
  }

  private aggregate(op: AggregateOp): Expr {
    let grouping = this.grouping();
    this.expect('(');
    let param: Expr | undefined;
    let e = this.expr(0);
    if (op === 'topk' || op === 'bottomk' || op === 'quantile') {
      this.expect(',');
      param = e;
      e = this.expr(0);
    }
    this.expect(')');
    grouping ??= this.grouping();
    return { kind: 'aggregate', op, grouping, ...(param ? { param } : {}), expr: e };
  }

  private grouping(): Grouping | undefined {
    const t = this.peek();
    if (t.kind === 'ident' && (t.text === 'by' || t.text === 'without')) {
      this.next();
      return { without: t.text === 'without', labels: this.labelList() };
    }
    return undefined;
  }

  private call(name: Token): Expr {
    const arity = functionArity(name.text);
    if (!arity) this.fail(`unknown or unsupported function "${name.text}"`, name);
    this.expect('(');
    const args: Expr[] = [];
    if (!(this.peek().kind === 'punct' && this.peek().text === ')')) {
      for (;;) {
        args.push(this.expr(0));
        if (this.peek().text === ',' && this.peek().kind === 'punct') {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expect(')');
    if (args.length < arity.min || args.length > arity.max) {
      this.fail(
        `${name.text}() takes ${arity.min === arity.max ? arity.min : `${arity.min}–${arity.max}`} argument(s), got ${args.length}`,
        name,
      );
    }
    return { kind: 'call', fn: name.text, args };
  }

  private labelList(): string[] {
    this.expect('(');
    const out: string[] = [];
    while (!(this.peek().kind === 'punct' && this.peek().text === ')')) {
      const t = this.next();
      if (t.kind !== 'ident') this.fail(`expected a label name, found ${describe(t)}`, t);
      out.push(t.text);
      if (this.peek().text === ',' && this.peek().kind === 'punct') this.next();
    }
    this.expect(')');
    return out;
  }

  private matchers(): Matcher[] {
    this.expect('{');
    const out: Matcher[] = [];
    while (!(this.peek().kind === 'punct' && this.peek().text === '}')) {
      const name = this.next();
      if (name.kind !== 'ident') this.fail(`expected a label name, found ${describe(name)}`, name);
      const op = this.next();
      if (op.kind !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text))
        this.fail(`expected =, !=, =~ or !~, found ${describe(op)}`, op);
      const value = this.next();
      if (value.kind !== 'string')
        this.fail(`expected a quoted label value, found ${describe(value)}`, value);
      if (op.text === '=~' || op.text === '!~') {
        try {
          new RegExp(value.text, 'u');
        } catch (e) {
          this.fail(`invalid regular expression: ${(e as Error).message}`, value);
        }
      }
      out.push({ name: name.text, op: op.text as MatchOp, value: value.text });
      if (this.peek().text === ',' && this.peek().kind === 'punct') this.next();
    }
    this.expect('}');
    return out;
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  return t.kind === 'string' ? `string "${t.text}"` : `"${t.text}"`;
}

function durationMs(text: string): number {
  // Prometheus durations also have w (weeks) and y (365 days).
  const expanded = text
    .replace(/(\d+)w/g, (_, n) => `${Number(n) * 7}d`)
    .replace(/(\d+)y/g, (_, n) => `${Number(n) * 365}d`);
  return parseDurationMs(expanded);
}
