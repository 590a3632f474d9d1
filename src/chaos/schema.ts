import { z } from 'zod';
import { durationMs, positiveInt, ratePerSec, strictObject } from '../spec/types.js';
import { chaosActionRegistry } from './actions/registry.js';
import { chaosFaultRegistry } from './faults/registry.js';
import { probeRegistry } from './probes/registry.js';

/**
 * The schema of chaos experiments, as written in the spec's `chaos:` section or in an
 * experiment file of their own: the steady-state hypothesis (probes with tolerances), the
 * method (faults, actions and waits, serial or parallel, each fault with a duration and a
 * TTL), rollbacks, a run-wide abort condition, the load that runs through it, the
 * databases it starts, and schedules for game days. Faults, probes and actions are
 * checked against their registries' own schemas, so a new type needs no change here.
 */
const faults = chaosFaultRegistry();
const probes = probeRegistry();
const actions = chaosActionRegistry();

type Plugin = { type: string; shape: z.ZodRawShape; refine?(p: never, ctx: z.RefinementCtx): void };

function pluginSchema(
  family: string,
  types: () => string[],
  get: (t: string) => Plugin,
  extra: z.ZodRawShape,
) {
  return z
    .looseObject({ type: z.string({ error: () => `expected type: one of ${types().join(', ')}` }) })
    .transform((v, ctx) => {
      if (!types().includes(v.type)) {
        ctx.addIssue({
          code: 'custom',
          path: ['type'],
          message: `unknown ${family} "${v.type}"; expected one of ${types().join(', ')}`,
        });
        return z.NEVER;
      }
      const p = get(v.type);
      const r = strictObject({ type: z.literal(v.type), ...extra, ...p.shape }).safeParse(v);
      if (!r.success) {
        for (const issue of r.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
        return z.NEVER;
      }
      if (p.refine) p.refine(r.data as never, ctx);
      return r.data as { type: string } & Record<string, unknown>;
    });
}

const stepName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,62}$/, 'expected a short name')
  .optional();

export const chaosFaultSchema = pluginSchema(
  'chaos fault',
  () => faults.types(),
  (t) => faults.get(t),
  {
    /** Hard limit: gone this long after injection whatever happens (default: duration + 30 s). */
    ttl: durationMs.optional(),
  },
);
export type ChaosFaultSpec = z.output<typeof chaosFaultSchema> & { ttl?: number };

export const probeSchema = pluginSchema(
  'chaos probe',
  () => probes.types(),
  (t) => probes.get(t),
  {
    name: z.string().min(1).optional(),
    /** When the probe counts (default all three). */
    phases: z
      .array(z.enum(['before', 'during', 'after']))
      .min(1)
      .optional(),
  },
);
export type ProbeSpec = z.output<typeof probeSchema> & {
  name?: string;
  phases?: Array<'before' | 'during' | 'after'>;
};

export const actionSchema = pluginSchema(
  'chaos action',
  () => actions.types(),
  (t) => actions.get(t),
  {},
);
export type ActionSpec = z.output<typeof actionSchema>;

export type StepSpec =
  | { kind: 'fault'; name?: string; fault: ChaosFaultSpec; durationMs: number; everyMs?: number }
  | { kind: 'action'; name?: string; action: ActionSpec }
  | { kind: 'wait'; name?: string; durationMs: number }
  | { kind: 'parallel' | 'serial'; name?: string; steps: StepSpec[] };

const faultStep = strictObject({
  name: stepName,
  fault: chaosFaultSchema,
  /** How long the fault stays (for instant faults with `every`: how long they repeat). */
  duration: durationMs.optional(),
  /** Inject again every this long, for `duration`. */
  every: durationMs.optional(),
});
const actionStep = strictObject({ name: stepName, action: actionSchema });
const waitStep = strictObject({ name: stepName, wait: durationMs });

const stepKinds = ['fault', 'action', 'wait', 'parallel', 'serial'] as const;

/** Picks the step's schema by its key, so errors come from inside that step (not "no union member"). */
function stepVariant(kind: (typeof stepKinds)[number]): z.ZodType {
  switch (kind) {
    case 'fault':
      return faultStep;
    case 'action':
      return actionStep;
    case 'wait':
      return waitStep;
    case 'parallel':
      return strictObject({ name: stepName, parallel: z.array(stepSchema).min(1) });
    case 'serial':
      return strictObject({ name: stepName, serial: z.array(stepSchema).min(1) });
  }
}

export const stepSchema: z.ZodType<StepSpec> = z.lazy(() =>
  z.unknown().transform((raw, ctx): StepSpec => {
    const keys = raw !== null && typeof raw === 'object' ? stepKinds.filter((k) => k in raw) : [];
    if (keys.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a step with exactly one of fault, action, wait, parallel, serial${keys.length ? `; got ${keys.join(', ')}` : ''}`,
      });
      return z.NEVER;
    }
    const r = stepVariant(keys[0] as (typeof stepKinds)[number]).safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    const s = r.data as {
      name?: string;
      fault?: ChaosFaultSpec;
      duration?: number;
      every?: number;
      action?: ActionSpec;
      wait?: number;
      parallel?: StepSpec[];
      serial?: StepSpec[];
    };
    const name = s.name === undefined ? {} : { name: s.name };
    if (s.fault) {
      const instant = s.fault.type === 'replica-kill' || s.fault.type === 'postgres-primary-kill';
      if (s.every !== undefined && !instant)
        ctx.addIssue({
          code: 'custom',
          path: ['every'],
          message: `every repeats instant faults (replica-kill, postgres-primary-kill); a ${s.fault.type} fault stays for its duration`,
        });
      if (s.every !== undefined && s.duration === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['duration'],
          message: 'expected a duration with every (how long to repeat)',
        });
      if (!instant && s.duration === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['duration'],
          message: `expected a duration: how long the ${s.fault.type} fault stays`,
        });
      const ttl = s.fault.ttl;
      if (ttl !== undefined && s.duration !== undefined && s.every === undefined && ttl < s.duration)
        ctx.addIssue({
          code: 'custom',
          path: ['fault', 'ttl'],
          message: `expected a ttl of at least the duration (${s.duration} ms)`,
        });
      return {
        kind: 'fault',
        ...name,
        fault: s.fault,
        durationMs: s.duration ?? 0,
        ...(s.every !== undefined ? { everyMs: s.every } : {}),
      };
    }
    if (s.action) return { kind: 'action', ...name, action: s.action };
    if (s.wait !== undefined) return { kind: 'wait', ...name, durationMs: s.wait };
    if (s.parallel) return { kind: 'parallel', ...name, steps: s.parallel };
    return { kind: 'serial', ...name, steps: s.serial as StepSpec[] };
  }),
) as unknown as z.ZodType<StepSpec>;

export const databaseSchema = strictObject({
  type: z.literal('postgres', { error: () => 'expected type: postgres' }),
  /** The mesh TCP listener the app reaches it through (repointed on failover). */
  listener: z.string().min(1),
  replication: z.enum(['synchronous', 'asynchronous']).default('synchronous'),
  /** Writes whose survival the experiment checks, through the listener. */
  writes: strictObject({ rate: ratePerSec.default(50) }).optional(),
  /**
   * The app that uses it: its env var (default DATABASE_URL) is set to the listener's URL
   * before the platform starts; a listener missing from mesh.tcp is added (free port).
   */
  app: strictObject({
    service: z.string().min(1),
    env: z.string().min(1).default('DATABASE_URL'),
  }).optional(),
});

export const abortSchema = strictObject({
  probe: probeSchema,
  /** The probe must fail this long in a row (default 0: the first failure aborts). */
  for: durationMs.default(0),
});

export const experimentSchema = strictObject({
  description: z.string().optional(),
  /** A load scenario of the spec's load: section run through the experiment. */
  load: z
    .union([
      z.literal(false),
      strictObject({
        scenario: z.string().min(1),
        vus: positiveInt.optional(),
        rampUp: durationMs.default(0),
      }),
    ])
    .default(false),
  hypothesis: strictObject({
    interval: durationMs.default(1000),
    /** Healthy rounds in a row that count as recovered. */
    recovery: positiveInt.default(3),
    probes: z.array(probeSchema).default([]),
  }).default({ interval: 1000, recovery: 3, probes: [] }),
  /** Observation before the method (the hypothesis must hold at its end). */
  before: durationMs.default(5000),
  /** Observation after the method (recovery measured; the hypothesis must be back by the end). */
  after: durationMs.default(10_000),
  databases: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), databaseSchema).default({}),
  method: z.array(stepSchema).min(1, 'expected at least one step'),
  rollbacks: z.array(actionSchema).default([]),
  abort: z.array(abortSchema).default([]),
  /** Lease of every fault: renewed while the controller runs; gone this long after it dies. */
  lease: durationMs.optional(),
  seed: z.number().int().optional(),
});
export type ExperimentSpec = z.output<typeof experimentSchema>;

export const scheduleSchema = strictObject({
  experiments: z.array(z.string().min(1)).min(1),
  every: durationMs.optional(),
  cron: z.string().min(1).optional(),
  /** How many times to run (default: until interrupted). */
  times: positiveInt.optional(),
}).superRefine((s, ctx) => {
  if ((s.every === undefined) === (s.cron === undefined))
    ctx.addIssue({ code: 'custom', message: 'expected exactly one of every, cron' });
});

export const chaosSectionSchema = strictObject({
  /** Default lease of faults (10 s). */
  lease: durationMs.default(10_000),
  experiments: z.record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected a name of letters, digits and . _ -'),
    experimentSchema,
  ),
  schedules: z.record(z.string().min(1), scheduleSchema).default({}),
}).superRefine((c, ctx) => {
  for (const [name, s] of Object.entries(c.schedules))
    s.experiments.forEach((e, i) => {
      if (!(e in c.experiments))
        ctx.addIssue({
          code: 'custom',
          path: ['schedules', name, 'experiments', i],
          message: `unknown experiment "${e}"; experiments: ${Object.keys(c.experiments).join(', ')}`,
        });
    });
});
export type ChaosSection = z.output<typeof chaosSectionSchema>;

/** An experiment in a file of its own: its fields, a name, and the spec it runs on. */
export const experimentFileSchema = strictObject({
  ...experimentSchema.shape,
  version: z.literal(1).optional(),
  name: z.string().min(1).optional(),
  /** The spec (services, mesh, load) the experiment runs on, relative to this file. */
  spec: z.string().min(1).optional(),
});
