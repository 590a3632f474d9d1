import { usageError } from '../../core/errors.js';
import { formatDurationMs } from '../../core/units.js';
import type { Labels } from '../labels.js';

/**
 * The part of Prometheus's annotation templating (Go text/template) that rules use in
 * practice: `{{ $value }}`, `{{ $labels.name }}`, `{{ $externalLabels.name }}`, the
 * functions `humanize`, `humanizePercentage`, `humanizeDuration`, `printf "%.2f"`, called
 * as `{{ humanize $value }}` or piped `{{ $value | humanize }}`. Anything else is an
 * error when the rule is loaded, not a silent blank when it fires.
 */
export interface TemplateData {
  labels: Labels;
  value: number;
  externalLabels?: Labels;
}

type Arg =
  | { kind: 'var'; path: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'pipe' };
type Tok = Arg | { kind: 'word'; word: string };
interface Action {
  fn?: string;
  args: Arg[];
  /** For `x | f`: the action whose result is f's last argument. */
  pipeFrom?: Action;
}
type Part = { kind: 'text'; text: string } | { kind: 'action'; action: Action };

const functions = ['humanize', 'humanizePercentage', 'humanizeDuration', 'printf'] as const;

/** A parsed template; `render` never throws. */
export interface Template {
  source: string;
  render(data: TemplateData): string;
}

/** Parses a template; errors quote it and name the offending action. */
export function compileTemplate(source: string): Template {
  const parts: Part[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      parts.push({ kind: 'text', text: source.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: source.slice(i, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw templateError(source, 'unclosed "{{"');
    parts.push({
      kind: 'action',
      action: parseAction(
        source,
        source
          .slice(open + 2, close)
          .replace(/^-|-$/g, '')
          .trim(),
      ),
    });
    i = close + 2;
  }
  return {
    source,
    render: (data) => parts.map((p) => (p.kind === 'text' ? p.text : run(p.action, data))).join(''),
  };
}

function parseAction(source: string, body: string): Action {
  const stages = body.split('|').map((s) => s.trim());
  let action = call(source, body, tokens(source, stages[0] ?? ''), false);
  for (const stage of stages.slice(1)) {
    // A pipe passes the previous result as the last argument.
    action = { ...call(source, body, tokens(source, stage), true), pipeFrom: action };
  }
  return action;
}

function call(source: string, body: string, toks: Tok[], piped: boolean): Action {
  const head = toks[0];
  const args = (xs: Tok[]): Arg[] =>
    xs.map((x) => {
      if (x.kind === 'word') throw templateError(source, `unexpected "${x.word}" in "{{ ${body} }}"`);
      return x;
    });
  if (!head) throw templateError(source, `empty action in "{{ ${body} }}"`);
  if (head.kind === 'word') {
    const rest = args(toks.slice(1));
    return { fn: checkFn(source, head.word), args: piped ? [...rest, { kind: 'pipe' }] : rest };
  }
  if (piped) throw templateError(source, `expected a function after "|" in "{{ ${body} }}"`);
  if (head.kind === 'string' || head.kind === 'number' || toks.length > 1)
    throw templateError(source, `cannot parse "{{ ${body} }}"`);
  return { args: args(toks) };
}

function checkFn(source: string, word: string): string {
  if (!(functions as readonly string[]).includes(word)) {
    throw templateError(
      source,
      `unsupported template function "${word}"; supported: $value, $labels.NAME, $externalLabels.NAME, ${functions.join(', ')}`,
    );
  }
  return word;
}

function tokens(source: string, s: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s*(?:"((?:[^"\\]|\\.)*)"|(\$[A-Za-z_][\w.]*|\$)|([A-Za-z_]\w*)|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) {
      if (s.slice(pos).trim() === '') break;
      throw templateError(source, `cannot parse "{{ ${s} }}"`);
    }
    if (m[1] !== undefined) out.push({ kind: 'string', value: m[1].replace(/\\(.)/g, '$1') });
    else if (m[2] !== undefined) {
      const path = m[2].slice(1).split('.').filter(Boolean);
      const root = path[0] ?? '';
      if (
        !['value', 'labels', 'externalLabels'].includes(root) ||
        (root === 'value' && path.length > 1) ||
        (root !== 'value' && path.length > 2)
      ) {
        throw templateError(
          source,
          `unknown variable "${m[2]}"; use $value, $labels.NAME or $externalLabels.NAME`,
        );
      }
      out.push({ kind: 'var', path });
    } else if (m[3] !== undefined) out.push({ kind: 'word', word: m[3] });
    else out.push({ kind: 'number', value: Number(m[4]) });
    pos = re.lastIndex;
  }
  return out;
}

function run(a: Action, d: TemplateData): string {
  const pipe = a.pipeFrom ? run(a.pipeFrom, d) : undefined;
  const vals = a.args.map((x) =>
    x.kind === 'string' || x.kind === 'number' ? x.value : x.kind === 'pipe' ? pipe : lookup(x.path, d),
  );
  if (!a.fn) return vals.map(String).join(' ');
  const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
  switch (a.fn) {
    case 'humanize':
      return humanize(num(vals[vals.length - 1]));
    case 'humanizePercentage':
      return `${formatNumber(num(vals[vals.length - 1]) * 100)}%`;
    case 'humanizeDuration':
      return formatDurationMs(num(vals[vals.length - 1]) * 1000);
    case 'printf':
      return printf(String(vals[0] ?? ''), vals.slice(1));
  }
  return '';
}

function lookup(path: string[], d: TemplateData): unknown {
  if (path[0] === 'value') return d.value;
  const src = path[0] === 'labels' ? d.labels : (d.externalLabels ?? {});
  if (path.length === 1) return JSON.stringify(src);
  return src[path[1] as string] ?? '';
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toPrecision(4)).toString();
}

/** Prometheus's `humanize`: SI prefixes, 4 significant digits. */
export function humanize(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  const abs = Math.abs(x);
  const big = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  const small = ['', 'm', 'u', 'n', 'p', 'f', 'a'];
  if (abs >= 1) {
    let i = 0;
    let v = x;
    while (Math.abs(v) >= 1000 && i < big.length - 1) {
      v /= 1000;
      i++;
    }
    return `${formatNumber(v)}${big[i]}`;
  }
  let i = 0;
  let v = x;
  while (Math.abs(v) < 1 && i < small.length - 1) {
    v *= 1000;
    i++;
  }
  return `${formatNumber(v)}${small[i]}`;
}

function printf(format: string, args: unknown[]): string {
  let k = 0;
  return format.replace(
    /%(-?\d*)(?:\.(\d+))?([dfsgvq%])/g,
    (_, width: string, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const a = args[k++];
      let s: string;
      if (verb === 'f') s = Number(a).toFixed(prec === undefined ? 6 : Number(prec));
      else if (verb === 'd') s = String(Math.trunc(Number(a)));
      else if (verb === 'g') s = prec === undefined ? String(Number(a)) : Number(a).toPrecision(Number(prec));
      else if (verb === 'q') s = JSON.stringify(String(a));
      else s = String(a);
      const w = Number(width);
      if (w > 0) s = s.padStart(w);
      else if (w < 0) s = s.padEnd(-w);
      return s;
    },
  );
}

function templateError(source: string, message: string) {
  return usageError('E_TEMPLATE', `invalid template ${JSON.stringify(source)}: ${message}`);
}
