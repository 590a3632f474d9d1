import { z } from 'zod';
import { parseAddress } from '../../mesh/address.js';
import { faultInputSchema } from '../../mesh/faults/schema.js';
import { retryOnValues } from '../../mesh/model.js';
import { tcpListenerSchema } from '../../mesh/tcp/schema.js';
import { durationMs, fraction, positiveInt, sizeBytes, strictObject } from '../types.js';

/**
 * The `mesh:` section: listeners, routes, services (one cluster per version, weights,
 * overrides, mirroring, load balancing, health checks, outlier detection, circuit
 * breaking), retries and timeouts per route, fault filters and the admin API. Units are
 * written as elsewhere in the spec: durations "30s", shares "5%" or 0.05, sizes "16KiB".
 *
 * TCP listeners (`tcp:`, Toxiproxy-style toxics) have their schema next to their plane in
 * src/mesh/tcp/; they run as the mesh's `tcp` plane (see src/mesh/plane.ts).
 */

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected a name of letters, digits and . _ - (at most 63)');

const address = z.string().refine(
  (s) => {
    try {
      parseAddress(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected host:port such as 127.0.0.1:8081 or [::1]:8081' },
);

const port = z
  .number({ error: () => 'expected a port number (0 picks a free one)' })
  .int()
  .min(0)
  .max(65535);

const valueMatch = {
  equals: z.string().optional(),
  matches: z.string().optional(),
  present: z.boolean().optional(),
};

function oneOf(keys: string[], required: boolean) {
  return (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const given = keys.filter((k) => v[k] !== undefined);
    if (given.length > 1 || (required && given.length === 0)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${required ? 'exactly' : 'at most'} one of ${keys.join(', ')}${given.length ? `; got ${given.join(', ')}` : ''}`,
      });
    }
  };
}

const regexString = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a valid regular expression' },
);

export const headerMatchSchema = strictObject({
  name: z.string().min(1),
  ...valueMatch,
  matches: regexString.optional(),
}).superRefine(oneOf(['equals', 'matches', 'present'], false));

export const listenerSchema = strictObject({
  name,
  host: z.string().default('127.0.0.1'),
  port: port.default(0),
  maxHeaderSize: sizeBytes.default(16 * 1024),
  headersTimeout: durationMs.default(10_000),
  requestTimeout: durationMs.default(30_000),
  keepAliveTimeout: durationMs.default(5_000),
});

export const retrySchema = strictObject({
  attempts: z
    .number({ error: () => 'expected a number of retries ≥ 0' })
    .int()
    .min(0)
    .default(2),
  on: z.array(z.enum(retryOnValues)).min(1).default(['connect-failure', 'reset']),
  statuses: z.array(z.number().int().min(100).max(599)).default([]),
  perTryTimeout: durationMs.default(0),
  backoff: strictObject({ base: durationMs.default(25), max: durationMs.default(250) }).default({
    base: 25,
    max: 250,
  }),
  budget: strictObject({
    percent: fraction.default(0.2),
    minConcurrency: z.number().int().min(0).default(10),
  }).default({ percent: 0.2, minConcurrency: 10 }),
  nonIdempotent: z.boolean().default(false),
  bufferLimit: sizeBytes.default(64 * 1024),
});

export const routeSchema = strictObject({
  name,
  listeners: z.array(name).default([]),
  match: strictObject({
    prefix: z.string().startsWith('/', 'expected a path starting with /').optional(),
    path: z.string().startsWith('/', 'expected a path starting with /').optional(),
    regex: regexString.optional(),
    methods: z.array(z.string().regex(/^[A-Z]+$/, 'expected an upper-case method such as GET')).default([]),
    headers: z.array(headerMatchSchema).default([]),
  })
    .superRefine(oneOf(['prefix', 'path', 'regex'], false))
    .default({ methods: [], headers: [] }),
  service: name,
  timeout: durationMs.default(15_000),
  /** `false` is short for `{ attempts: 0 }`. */
  retries: z.preprocess((v) => (v === false ? { attempts: 0 } : v), retrySchema.optional()),
});

export const overrideSchema = strictObject({
  header: z.string().min(1).optional(),
  cookie: z.string().min(1).optional(),
  ...valueMatch,
  matches: regexString.optional(),
  version: name,
})
  .superRefine(oneOf(['header', 'cookie'], true))
  .superRefine(oneOf(['equals', 'matches', 'present'], false));

export const versionSchema = strictObject({
  weight: z
    .number({ error: () => 'expected a weight ≥ 0' })
    .nonnegative()
    .default(0),
  endpoints: z.array(address).default([]),
});

export const healthCheckSchema = strictObject({
  path: z.string().startsWith('/', 'expected a path starting with /'),
  interval: durationMs.default(5_000),
  timeout: durationMs.default(1_000),
  healthyThreshold: positiveInt.default(2),
  unhealthyThreshold: positiveInt.default(2),
  expect: z.array(z.number().int().min(100).max(599)).default([]),
});

export const outlierSchema = strictObject({
  enabled: z.boolean().default(true),
  consecutive5xx: z.number().int().min(0).default(5),
  consecutiveConnectErrors: z.number().int().min(0).default(5),
  baseEjectionTime: durationMs.default(30_000),
  maxEjectionTime: durationMs.default(300_000),
  maxEjectionPercent: fraction.default(0.1),
});

export const circuitBreakerSchema = strictObject({
  maxConnections: positiveInt.default(1024),
  maxPending: z.number().int().min(0).default(1024),
  maxRequests: z.number().int().min(0).default(1024),
});

export const serviceSchema = strictObject({
  loadBalancer: z.enum(['round-robin', 'least-request']).default('round-robin'),
  connectTimeout: durationMs.default(1_000),
  idleTimeout: durationMs.default(4_000),
  versions: z.record(name, versionSchema).refine((v) => Object.keys(v).length > 0, {
    message: 'expected at least one version, such as v1: { weight: 100, endpoints: [127.0.0.1:8081] }',
  }),
  overrides: z.array(overrideSchema).default([]),
  mirror: strictObject({ version: name, percentage: fraction.default(1) }).optional(),
  healthCheck: healthCheckSchema.optional(),
  /** `false` is short for `{ enabled: false }`. */
  outlierDetection: z.preprocess((v) => (v === false ? { enabled: false } : v), outlierSchema.optional()),
  circuitBreaker: circuitBreakerSchema.optional(),
});

export const meshAdminSchema = strictObject({
  enabled: z.boolean().default(true),
  host: z.string().default('127.0.0.1'),
  port: port.default(0),
  tokenFile: z.string().min(1).optional(),
});

export const meshSectionSchema = strictObject({
  allowRemote: z.boolean().default(false),
  drainTimeout: durationMs.default(30_000),
  faultTtl: durationMs.default(600_000),
  admin: meshAdminSchema.default({ enabled: true, host: '127.0.0.1', port: 0 }),
  listeners: z.array(listenerSchema).min(1).optional(),
  routes: z.array(routeSchema).optional(),
  services: z.record(name, serviceSchema, {
    error: () =>
      'expected services by name, such as shop: { versions: { v1: { weight: 100, endpoints: [...] } } }',
  }),
  faults: z.array(faultInputSchema).default([]),
  tcp: z.array(tcpListenerSchema).default([]),
}).superRefine(crossReferences);

type MeshSectionShape = {
  listeners?: Array<{ name: string; headersTimeout: number; requestTimeout: number }>;
  routes?: Array<{ name: string; service: string; listeners: string[] }>;
  services: Record<
    string,
    { versions: Record<string, unknown>; overrides: Array<{ version: string }>; mirror?: { version: string } }
  >;
  faults: Array<{ route?: string; service?: string; version?: string }>;
  tcp: Array<{ name: string }>;
};

/** Names that must refer to something defined elsewhere in the section. */
function crossReferences(m: MeshSectionShape, ctx: z.RefinementCtx): void {
  const services = Object.keys(m.services);
  const listeners = (m.listeners ?? [{ name: 'http' }]).map((l) => l.name);
  const routes = m.routes ?? [];
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const dupes = (what: string, names: string[], path: (i: number) => PropertyKey[]) =>
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) issue(path(i), `duplicate ${what} name "${n}"`);
    });
  dupes('listener', listeners, (i) => ['listeners', i, 'name']);
  dupes(
    'TCP listener',
    m.tcp.map((t) => t.name),
    (i) => ['tcp', i, 'name'],
  );
  dupes(
    'route',
    routes.map((r) => r.name),
    (i) => ['routes', i, 'name'],
  );
  (m.listeners ?? []).forEach((l, i) => {
    if (l.requestTimeout > 0 && l.headersTimeout > l.requestTimeout)
      issue(['listeners', i, 'headersTimeout'], 'expected headersTimeout ≤ requestTimeout');
  });
  if (m.routes === undefined && services.length !== 1) {
    issue(['routes'], `expected routes (with ${services.length} services there is no default route)`);
  }
  routes.forEach((r, i) => {
    if (!m.services[r.service])
      issue(
        ['routes', i, 'service'],
        `unknown service "${r.service}"; expected one of: ${services.join(', ')}`,
      );
    r.listeners.forEach((l, j) => {
      if (!listeners.includes(l))
        issue(
          ['routes', i, 'listeners', j],
          `unknown listener "${l}"; expected one of: ${listeners.join(', ')}`,
        );
    });
  });
  for (const [s, svc] of Object.entries(m.services)) {
    const versions = Object.keys(svc.versions);
    svc.overrides.forEach((o, i) => {
      if (!versions.includes(o.version))
        issue(
          ['services', s, 'overrides', i, 'version'],
          `unknown version "${o.version}"; expected one of: ${versions.join(', ')}`,
        );
    });
    if (svc.mirror && !versions.includes(svc.mirror.version))
      issue(
        ['services', s, 'mirror', 'version'],
        `unknown version "${svc.mirror.version}"; expected one of: ${versions.join(', ')}`,
      );
  }
  m.faults.forEach((f, i) => {
    if (
      f.route !== undefined &&
      !routes.some((r) => r.name === f.route) &&
      !(m.routes === undefined && f.route === 'default')
    )
      issue(['faults', i, 'route'], `unknown route "${f.route}"`);
    if (f.service !== undefined && !m.services[f.service])
      issue(
        ['faults', i, 'service'],
        `unknown service "${f.service}"; expected one of: ${services.join(', ')}`,
      );
    else if (
      f.service !== undefined &&
      f.version !== undefined &&
      !(f.version in (m.services[f.service]?.versions ?? {}))
    )
      issue(['faults', i, 'version'], `unknown version "${f.version}" of service "${f.service}"`);
  });
}

export type MeshSection = z.output<typeof meshSectionSchema>;
