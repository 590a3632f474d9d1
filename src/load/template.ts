import { randomUUID } from 'node:crypto';
import { usageError } from '../core/errors.js';
import type { Random } from '../core/random.js';

/**
 * `{{name}}` templates for URLs, headers and bodies, compiled once into parts so that
 * rendering a request costs a few string joins. Names resolve to the VU's current data
 * row first, then to built-ins: `vu`, `iteration`, `scenario`, `zone`, `uuid`,
 * `randomInt(a,b)`, `timestamp`.
 */
export interface TemplateVars {
  row: Record<string, string> | undefined;
  vu: number;
  iteration: number;
  scenario: string;
  zone: string;
  random: Random;
}

type Part = string | ((v: TemplateVars) => string);

export interface Template {
  readonly constant: boolean;
  render(v: TemplateVars): string;
}

const builtins: Record<string, (v: TemplateVars) => string> = {
  vu: (v) => String(v.vu),
  iteration: (v) => String(v.iteration),
  scenario: (v) => v.scenario,
  zone: (v) => v.zone,
  uuid: () => randomUUID(),
  timestamp: () => String(Date.now()),
};

const placeholder = /\{\{\s*([A-Za-z_][\w.-]*)(?:\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\))?\s*\}\}/g;

/**
 * Compiles `text`. `columns` are the data-feed column names; an unknown name is a usage
 * error naming it and `where` (so typos fail before the run, not during it). With
 * `jsonEscape`, substituted values are escaped for use inside a JSON string.
 */
export function compileTemplate(
  text: string,
  columns: readonly string[],
  where: string,
  jsonEscape = false,
): Template {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(placeholder)) {
    const [whole, name, a, b] = m as unknown as [string, string, string | undefined, string | undefined];
    if ((m.index ?? 0) > last) parts.push(text.slice(last, m.index));
    last = (m.index ?? 0) + whole.length;
    let get: (v: TemplateVars) => string;
    if (name === 'randomInt') {
      if (a === undefined || b === undefined) throw badVar(whole, where, columns);
      const lo = Number(a);
      const hi = Number(b);
      get = (v) => String(v.random.int(lo, hi));
    } else if (columns.includes(name)) {
      get = (v) => v.row?.[name] ?? '';
    } else if (builtins[name]) {
      get = builtins[name];
    } else {
      throw badVar(whole, where, columns);
    }
    parts.push(jsonEscape ? (v) => JSON.stringify(get(v)).slice(1, -1) : get);
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.length === 0) parts.push('');
  if (parts.every((p) => typeof p === 'string')) {
    const s = (parts as string[]).join('');
    return { constant: true, render: () => s };
  }
  return {
    constant: false,
    render(v) {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : p(v);
      return out;
    },
  };
}

function badVar(token: string, where: string, columns: readonly string[]) {
  return usageError(
    'E_TEMPLATE',
    `unknown template variable ${token} in ${where}`,
    `use a data column (${columns.length ? columns.join(', ') : 'none defined'}) or a built-in: ${Object.keys(builtins).join(', ')}, randomInt(a,b)`,
  );
}
