import { isAbsolute, resolve } from 'node:path';
import type { ProbeSpec, ServiceSpec, ServicesSection } from '../spec/sections/services.js';
import type { RestartPolicy } from './restart-decision.js';

/**
 * What the Fleet runs: the `services:` section normalized, with units in the names, the
 * working directory resolved and each version's command, environment and replica count
 * merged from the service's.
 */

export interface ProbeDefinition {
  kind: 'http' | 'tcp';
  /** For `http`: the path requested with GET; 2xx and 3xx pass. */
  path?: string;
  intervalMs: number;
  timeoutMs: number;
  initialDelayMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface VersionDefinition {
  name: string;
  run: string[];
  /** The service's env with the version's on top; values may hold `{{templates}}`. */
  env: Record<string, string>;
  /** Replicas started by `Fleet.start()`. */
  replicas: number;
}

export interface ServiceDefinition {
  name: string;
  cwd: string;
  host: string;
  /** A fixed port (one replica only); a free port per replica otherwise. */
  port?: number;
  /** Replicas get this process's environment under theirs. */
  inheritEnv: boolean;
  versions: VersionDefinition[];
  probes: { readiness?: ProbeDefinition; liveness?: ProbeDefinition; startup?: ProbeDefinition };
  restart: RestartPolicy;
  stop: { signal: NodeJS.Signals; graceMs: number; drainTimeoutMs: number };
  logs: { maxSizeBytes: number; keep: number };
}

/** The readiness probe of a service that declares none: its port accepts connections. */
export const defaultReadiness: ProbeDefinition = {
  kind: 'tcp',
  intervalMs: 1000,
  timeoutMs: 1000,
  initialDelayMs: 0,
  successThreshold: 1,
  failureThreshold: 3,
};

function probe(p: ProbeSpec | undefined): ProbeDefinition | undefined {
  if (!p) return undefined;
  return {
    kind: p.http !== undefined ? 'http' : 'tcp',
    ...(p.http !== undefined ? { path: p.http } : {}),
    intervalMs: p.interval,
    timeoutMs: p.timeout,
    initialDelayMs: p.initialDelay,
    successThreshold: p.successThreshold,
    failureThreshold: p.failureThreshold,
  };
}

/**
 * A bare `node` runs the Node.js that runs Shakedown, whatever PATH says: the services of
 * a spec are then run by the version Shakedown was checked with.
 */
function withThisNode(run: string[]): string[] {
  return run[0] === 'node' ? [process.execPath, ...run.slice(1)] : run;
}

/** One service of the spec; relative `cwd` resolves against `baseDir` (the spec's folder). */
export function serviceFromSpec(name: string, s: ServiceSpec, baseDir: string): ServiceDefinition {
  const cwd = s.cwd === undefined ? baseDir : isAbsolute(s.cwd) ? s.cwd : resolve(baseDir, s.cwd);
  const versions = Object.entries(s.versions ?? { v1: {} }).map(([v, o]) => ({
    name: v,
    run: withThisNode(o.run ?? s.run),
    env: { ...s.env, ...(o.env ?? {}) },
    replicas: o.replicas ?? s.replicas,
  }));
  const probes: ServiceDefinition['probes'] = {};
  const readiness = probe(s.probes.readiness);
  const liveness = probe(s.probes.liveness);
  const startup = probe(s.probes.startup);
  if (readiness) probes.readiness = readiness;
  if (liveness) probes.liveness = liveness;
  if (startup) probes.startup = startup;
  return {
    name,
    cwd,
    host: s.host,
    ...(s.port !== undefined ? { port: s.port } : {}),
    inheritEnv: s.inheritEnv,
    versions,
    probes,
    restart: {
      policy: s.restart.policy,
      backoff: {
        initialMs: s.restart.backoff.initial,
        maxMs: s.restart.backoff.max,
        factor: s.restart.backoff.factor,
      },
      resetAfterMs: s.restart.resetAfter,
      crashLoopLimit: s.restart.crashLoopLimit,
    },
    stop: { signal: s.stop.signal, graceMs: s.stop.grace, drainTimeoutMs: s.stop.drainTimeout },
    logs: { maxSizeBytes: s.logs.maxSize, keep: s.logs.keep },
  };
}

/** Every service of the section, in the order written. */
export function servicesFromSpec(section: ServicesSection, baseDir: string): ServiceDefinition[] {
  return Object.entries(section).map(([name, s]) => serviceFromSpec(name, s, baseDir));
}
