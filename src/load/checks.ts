import { usageError } from '../core/errors.js';
import type { CheckConfig } from './model.js';

/**
 * Checks on responses (k6's `check`): status, a header, the body, a JSON path, the
 * duration. Compiled once per request; each evaluation returns pass/fail per check.
 */
export interface CheckSubject {
  status: number;
  headers: Record<string, string | string[] | undefined> | undefined;
  body: Buffer | undefined;
  serviceTimeMs: number;
}

export interface CompiledCheck {
  name: string;
  needsBody: boolean;
  needsHeaders: boolean;
  test(s: CheckSubject, json: () => unknown): boolean;
}

function valueTest(c: CheckConfig, where: string): (v: unknown) => boolean {
  const re = c.matches !== undefined ? safeRegex(c.matches, where) : undefined;
  return (v) => {
    const present = v !== undefined && v !== null;
    if (c.exists !== undefined) {
      if (present !== c.exists) return false;
      if (!present) return true;
    } else if (!present) {
      return false;
    }
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    if (c.equals !== undefined && !(v === c.equals || s === String(c.equals))) return false;
    if (c.contains !== undefined && !s.includes(c.contains)) return false;
    if (re && !re.test(s)) return false;
    return true;
  };
}

function safeRegex(src: string, where: string): RegExp {
  try {
    return new RegExp(src);
  } catch (e) {
    throw usageError(
      'E_CHECK',
      `invalid regular expression ${JSON.stringify(src)} in ${where}: ${(e as Error).message}`,
    );
  }
}

/** Reads a dotted path (`items.0.id`) from a parsed JSON value. */
export function jsonPath(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const seg of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

export function compileCheck(c: CheckConfig, where: string): CompiledCheck {
  const parts: Array<(s: CheckSubject, json: () => unknown) => boolean> = [];
  let needsBody = false;
  let needsHeaders = false;
  if (c.status) {
    const ok = new Set(c.status);
    parts.push((s) => ok.has(s.status));
  }
  if (c.maxDurationMs !== undefined) {
    const max = c.maxDurationMs;
    parts.push((s) => s.serviceTimeMs <= max);
  }
  const subjects = [c.header !== undefined, c.body === true, c.json !== undefined].filter(Boolean).length;
  if (subjects > 1)
    throw usageError('E_CHECK', `check "${c.name}" in ${where} tests more than one of header, body, json`);
  if (c.header !== undefined) {
    needsHeaders = true;
    const name = c.header.toLowerCase();
    const t = valueTest(c, where);
    parts.push((s) => {
      const h = s.headers?.[name];
      return t(Array.isArray(h) ? h.join(', ') : h);
    });
  } else if (c.body) {
    needsBody = true;
    const t = valueTest(c, where);
    parts.push((s) => t(s.body?.toString('utf8') ?? ''));
  } else if (c.json !== undefined) {
    needsBody = true;
    const path = c.json;
    const t = valueTest(c, where);
    parts.push((_s, json) => t(jsonPath(json(), path)));
  }
  if (parts.length === 0) {
    throw usageError(
      'E_CHECK',
      `check "${c.name}" in ${where} tests nothing`,
      'give status, header, body, json or maxDuration',
    );
  }
  return { name: c.name, needsBody, needsHeaders, test: (s, json) => parts.every((p) => p(s, json)) };
}

/** Runs every check; `counts[i]` gets +1 on pass of check i. Returns [passed, failed]. */
export function runChecks(
  checks: readonly CompiledCheck[],
  s: CheckSubject,
  passCounts: number[],
  failCounts: number[],
): [number, number] {
  let passed = 0;
  let failed = 0;
  let parsed: unknown;
  let didParse = false;
  const json = () => {
    if (!didParse) {
      didParse = true;
      try {
        parsed = JSON.parse(s.body?.toString('utf8') ?? '');
      } catch {
        parsed = undefined;
      }
    }
    return parsed;
  };
  for (let i = 0; i < checks.length; i++) {
    if ((checks[i] as CompiledCheck).test(s, json)) {
      passed++;
      passCounts[i] = (passCounts[i] ?? 0) + 1;
    } else {
      failed++;
      failCounts[i] = (failCounts[i] ?? 0) + 1;
    }
  }
  return [passed, failed];
}
