import { z } from 'zod';
import { splitCommandLine } from '../../fleet/command-line.js';
import { durationMs, nonNegativeInt, positiveInt, sizeBytes, strictObject } from '../types.js';

/**
 * The `services:` section: what `shakedown up` runs locally. Each service has a command,
 * environment, working directory, replicas (each on its own free port, given as `PORT`),
 * versions side by side (each may override `run`, `env` and `replicas`), probes, a restart
 * policy with exponential backoff and a crash-loop limit, a graceful stop and rotated logs.
 */

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'expected a name of lower-case letters, digits and "-", such as catalog');

/** `run`: an argument array, or a string split into one without a shell. */
export const runSchema = z
  .union([z.array(z.string()).min(1, 'expected at least the command'), z.string()], {
    error: () => 'expected a command as an argument array such as ["node", "server.mjs"] or a string',
  })
  .transform((v, ctx) => {
    if (Array.isArray(v)) {
      if (v[0] === '') {
        ctx.addIssue({ code: 'custom', message: 'expected a command, got an empty string' });
        return z.NEVER;
      }
      return v;
    }
    const r = splitCommandLine(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    return r.argv;
  });

/** Record errors about a key say which key and what names look like. */
const keyError = {
  error: (iss: { code: string; key?: unknown }) =>
    iss.code === 'invalid_key'
      ? `invalid name ${JSON.stringify(iss.key)}: expected lower-case letters, digits and "-", such as catalog`
      : undefined,
};

const envValue = z
  .union([z.string(), z.number(), z.boolean()], { error: () => 'expected a string, number or boolean' })
  .transform(String);
const envSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name'),
  envValue,
);

/** A probe: an HTTP GET of `http` (2xx/3xx passes) or a TCP connect (`tcp: true`). */
export const probeSchema = strictObject({
  http: z.string().startsWith('/', 'expected a path such as /readyz').optional(),
  tcp: z.literal(true).optional(),
  interval: durationMs.default(1000),
  timeout: durationMs.default(1000),
  initialDelay: durationMs.default(0),
  successThreshold: positiveInt.default(1),
  failureThreshold: positiveInt.default(3),
}).superRefine((p, ctx) => {
  if ((p.http === undefined) === (p.tcp === undefined))
    ctx.addIssue({ code: 'custom', message: 'expected exactly one of http: /path or tcp: true' });
});

const restartSchema = strictObject({
  policy: z.enum(['always', 'on-failure', 'never']).default('always'),
  backoff: strictObject({
    initial: durationMs.default(250),
    max: durationMs.default(30_000),
    factor: z
      .number({ error: () => 'expected a number ≥ 1' })
      .min(1)
      .default(2),
  }).prefault({}),
  /** A run that stayed ready this long resets the backoff and the crash-loop count. */
  resetAfter: durationMs.default(10_000),
  /** Consecutive short runs after which the replica is no longer restarted. */
  crashLoopLimit: positiveInt.default(5),
});

const stopSchema = strictObject({
  signal: z.enum(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP']).default('SIGTERM'),
  grace: durationMs.default(10_000),
  /** How long in-flight requests get to finish in the mesh before the stop signal. */
  drainTimeout: durationMs.default(5_000),
});

const logsSchema = strictObject({
  maxSize: sizeBytes.default(10 * 1024 * 1024),
  keep: positiveInt.default(3),
});

const versionSchema = strictObject({
  run: runSchema.optional(),
  env: envSchema.optional(),
  replicas: nonNegativeInt.optional(),
});

export const serviceSchema = strictObject({
  run: runSchema,
  cwd: z.string().optional(),
  env: envSchema.default({}),
  inheritEnv: z.boolean().default(true),
  replicas: nonNegativeInt.default(1),
  host: z.string().default('127.0.0.1'),
  port: z
    .number({ error: () => 'expected a TCP port' })
    .int()
    .min(1)
    .max(65_535)
    .optional(),
  probes: strictObject({
    readiness: probeSchema.optional(),
    liveness: probeSchema.optional(),
    startup: probeSchema.optional(),
  }).prefault({}),
  restart: restartSchema.prefault({}),
  stop: stopSchema.prefault({}),
  logs: logsSchema.prefault({}),
  versions: z.record(name, versionSchema, keyError).optional(),
});

const templateRe = /\{\{\s*([^}]*?)\s*\}\}/g;
/** `{{mesh.LISTENER}}`: the base URL of a listener of the spec's mesh. */
export const meshTemplateRe = /^mesh\.([A-Za-z0-9][A-Za-z0-9._-]*)$/;
const ownTemplates = new Set(['port', 'host', 'service', 'version', 'replica']);

export const servicesSectionSchema = z.record(name, serviceSchema, keyError).superRefine((services, ctx) => {
  for (const [svcName, svc] of Object.entries(services)) {
    const versions = svc.versions ?? { v1: {} };
    if (svc.port !== undefined) {
      const started = Object.values(versions).map((v) => v.replicas ?? svc.replicas);
      if (started.length > 1 || started.some((n) => n > 1))
        ctx.addIssue({
          code: 'custom',
          path: [svcName, 'port'],
          message: 'a fixed port allows one version with at most one replica; leave port out for free ports',
        });
    }
    const envs: Array<[PropertyKey[], Record<string, string>]> = [[[svcName, 'env'], svc.env]];
    for (const [v, ver] of Object.entries(versions))
      if (ver.env) envs.push([[svcName, 'versions', v, 'env'], ver.env]);
    for (const [path, env] of envs) {
      for (const [key, value] of Object.entries(env)) {
        for (const m of value.matchAll(templateRe)) {
          const problem = templateProblem(m[1] as string, services);
          if (problem) ctx.addIssue({ code: 'custom', path: [...path, key], message: problem });
        }
      }
    }
  }
});

function templateProblem(ref: string, services: Record<string, { versions?: Record<string, unknown> }>) {
  if (ownTemplates.has(ref)) return undefined;
  // Mesh listeners are checked against the mesh: section by the root schema.
  if (meshTemplateRe.test(ref)) return undefined;
  const m = /^urls\.([a-z][a-z0-9-]*)(?:\.([a-z][a-z0-9-]*))?$/.exec(ref);
  if (!m) {
    return `unknown template {{${ref}}}; expected one of {{port}}, {{host}}, {{service}}, {{version}}, {{replica}}, {{urls.SERVICE}}, {{urls.SERVICE.VERSION}}, {{mesh.LISTENER}}`;
  }
  const target = services[m[1] as string];
  if (!target) return `{{${ref}}} names no service; services: ${Object.keys(services).join(', ')}`;
  const versions = Object.keys(target.versions ?? { v1: {} });
  if (m[2] !== undefined && !versions.includes(m[2]))
    return `{{${ref}}} names no version of ${m[1]}; versions: ${versions.join(', ')}`;
  return undefined;
}

export type ServicesSection = z.output<typeof servicesSectionSchema>;
export type ServiceSpec = z.output<typeof serviceSchema>;
export type ProbeSpec = z.output<typeof probeSchema>;
