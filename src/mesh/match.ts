import { findCookie, findHeader } from './headers.js';
import type { HeaderMatch, OverrideConfig, PathMatch, RouteConfig } from './model.js';

/**
 * Request matching, compiled once per configuration: routes (path prefix / exact / regex,
 * methods, header conditions; first match wins, as Envoy) and version overrides (a header
 * or cookie that sends a request to one version). Regular expressions match the whole
 * value, as Envoy's `safe_regex`. Prefixes are plain string prefixes (`/api` also matches
 * `/apix`; write `/api/` to mean the folder).
 */

/** Tests one value condition; `undefined` means absent. */
export type ValueTest = (value: string | undefined) => boolean;

export function compileValueTest(m: { equals?: string; matches?: string; present?: boolean }): ValueTest {
  if (m.equals !== undefined) {
    const want = m.equals;
    return (v) => v === want;
  }
  if (m.matches !== undefined) {
    const re = new RegExp(`^(?:${m.matches})$`);
    return (v) => v !== undefined && re.test(v);
  }
  if (m.present === false) return (v) => v === undefined;
  return (v) => v !== undefined;
}

function compilePath(p: PathMatch): (url: string) => boolean {
  const value = p.value;
  if (p.type === 'prefix') {
    if (value === '/' || value === '') return () => true;
    return (url) => url.startsWith(value);
  }
  if (p.type === 'exact') {
    return (url) =>
      url.startsWith(value) && (url.length === value.length || url.charCodeAt(value.length) === 63) /* ? */;
  }
  const re = new RegExp(`^(?:${value})$`);
  return (url) => {
    const q = url.indexOf('?');
    return re.test(q < 0 ? url : url.slice(0, q));
  };
}

function compileHeader(h: HeaderMatch): (raw: readonly string[]) => boolean {
  const test = compileValueTest(h);
  const name = h.name;
  return (raw) => test(findHeader(raw, name));
}

/** A route ready to match. */
export interface CompiledRoute {
  config: RouteConfig;
  matches(method: string, url: string, rawHeaders: readonly string[]): boolean;
}

export function compileRoute(config: RouteConfig): CompiledRoute {
  const path = compilePath(config.match.path);
  const methods = config.match.methods.length > 0 ? new Set(config.match.methods) : undefined;
  const headers = config.match.headers.map(compileHeader);
  return {
    config,
    matches(method, url, raw) {
      if (!path(url)) return false;
      if (methods !== undefined && !methods.has(method)) return false;
      for (let i = 0; i < headers.length; i++)
        if (!(headers[i] as (r: readonly string[]) => boolean)(raw)) return false;
      return true;
    },
  };
}

/** The path of an absolute-form request target (`http://host/path?q` → `/path?q`). */
export function originForm(url: string): string {
  if (url.charCodeAt(0) === 47 /* / */) return url;
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(url);
  if (!m) return url;
  const rest = m[1] as string;
  return rest === '' || rest.charCodeAt(0) === 63 ? `/${rest}` : rest;
}

/** Version overrides of a service, in order; the first that matches wins. */
export type OverridePicker = (rawHeaders: readonly string[]) => string | undefined;

export function compileOverrides(overrides: readonly OverrideConfig[]): OverridePicker | undefined {
  if (overrides.length === 0) return undefined;
  const tests = overrides.map((o) => {
    const test = compileValueTest(o);
    if (o.cookie !== undefined) {
      const cookie = o.cookie;
      return { version: o.version, hit: (raw: readonly string[]) => test(findCookie(raw, cookie)) };
    }
    const header = o.header as string;
    return { version: o.version, hit: (raw: readonly string[]) => test(findHeader(raw, header)) };
  });
  return (raw) => {
    for (let i = 0; i < tests.length; i++) {
      const t = tests[i] as (typeof tests)[number];
      if (t.hit(raw)) return t.version;
    }
    return undefined;
  };
}
