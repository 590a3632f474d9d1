/**
 * The admin API's routes as data: method, path pattern (`:name` segments), summary and a
 * handler. The server is generic over this list; extension planes mount theirs under a
 * prefix; the OpenAPI document is checked against it by a test.
 */
export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface AdminRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when there was none). */
  body: unknown;
}

export interface AdminReply {
  status?: number;
  json?: unknown;
  text?: string;
  contentType?: string;
}

export interface AdminRoute {
  method: AdminMethod;
  path: string;
  summary: string;
  handle(req: AdminRequest): Promise<AdminReply> | AdminReply;
}

export type AdminMatch =
  | { route: AdminRoute; params: Record<string, string> }
  | { allowed: AdminMethod[] }
  | undefined;

export class AdminRouter {
  private readonly routes: Array<{ route: AdminRoute; segments: string[] }> = [];

  constructor(routes: readonly AdminRoute[] = []) {
    for (const r of routes) this.add(r);
  }

  add(route: AdminRoute): void {
    this.routes.push({ route, segments: split(route.path) });
  }

  /** Adds routes under a prefix such as `/v1/tcp`. */
  mount(prefix: string, routes: readonly AdminRoute[]): void {
    for (const r of routes) this.add({ ...r, path: `${prefix.replace(/\/$/, '')}${r.path}` });
  }

  match(method: string, pathname: string): AdminMatch {
    const segs = split(pathname);
    const allowed: AdminMethod[] = [];
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, segs);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }

  list(): Array<{ method: AdminMethod; path: string; summary: string }> {
    return this.routes.map(({ route }) => ({
      method: route.method,
      path: route.path,
      summary: route.summary,
    }));
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const a = actual[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(a);
      } catch {
        return undefined;
      }
    } else if (p !== a) return undefined;
  }
  return params;
}
