import { z } from 'zod';
import { durationMs, fraction, nonNegativeInt, positiveInt, rateValue, strictObject } from '../types.js';

/**
 * The `load:` section: scenarios (k6's executors and option names), request mixes,
 * think time, data feeds, traffic shapes, load zones and thresholds.
 */

const statusList = z.union([z.number().int(), z.array(z.number().int()).min(1)], {
  error: () => 'expected an HTTP status or a list of statuses, such as 200 or [200, 201]',
});

/** A check on a response; each counts in the `checks` rate. */
export const checkSchema = strictObject({
  name: z.string().optional(),
  status: statusList.optional(),
  header: z.string().optional(),
  equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
  contains: z.string().optional(),
  matches: z.string().optional(),
  body: z.literal(true).optional(),
  json: z.string().optional(),
  exists: z.boolean().optional(),
  maxDuration: durationMs.optional(),
});

export const requestSchema = strictObject({
  name: z.string().min(1).optional(),
  weight: z.number().positive().default(1),
  method: z
    .string()
    .regex(/^[A-Z]+$/, 'expected an upper-case HTTP method such as GET or POST')
    .default('GET'),
  url: z.string().min(1, 'expected a URL or a path such as /products/{{id}}'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  expect: statusList.optional(),
  checks: z.array(checkSchema).optional(),
  timeout: durationMs.optional(),
});

export const thinkSchema = z.union(
  [
    durationMs,
    strictObject({ type: z.literal('constant'), value: durationMs }),
    strictObject({ type: z.literal('uniform'), min: durationMs, max: durationMs }),
    strictObject({ type: z.literal('exponential'), mean: durationMs, max: durationMs.optional() }),
  ],
  {
    error: () =>
      'expected a duration such as "1s", or {type: constant, value}, {type: uniform, min, max} or {type: exponential, mean}',
  },
);

export const dataSchema = strictObject({
  file: z.string().optional(),
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
  format: z.enum(['csv', 'json']).optional(),
  mode: z.enum(['per-vu', 'per-iteration']).default('per-iteration'),
  order: z.enum(['sequential', 'random']).default('sequential'),
});

const stageSchema = strictObject({ duration: durationMs, target: z.number().nonnegative() });

export const shapeSchema = z.discriminatedUnion('type', [
  strictObject({
    type: z.literal('ramp'),
    target: z.number().nonnegative(),
    rampUp: durationMs,
    hold: durationMs,
    rampDown: durationMs.default(0),
  }),
  strictObject({
    type: z.literal('spike'),
    base: z.number().nonnegative(),
    peak: z.number().nonnegative(),
    before: durationMs,
    rise: durationMs.default(5000),
    hold: durationMs,
    fall: durationMs.default(5000),
    after: durationMs,
  }),
  strictObject({
    type: z.literal('burst'),
    base: z.number().nonnegative(),
    peak: z.number().nonnegative(),
    every: durationMs,
    burst: durationMs,
    count: positiveInt,
  }),
  strictObject({
    type: z.literal('diurnal'),
    min: z.number().nonnegative(),
    max: z.number().nonnegative(),
    day: durationMs,
    days: z.number().positive().default(1),
    steps: positiveInt.default(48),
  }),
  strictObject({
    type: z.literal('soak'),
    target: z.number().nonnegative(),
    rampUp: durationMs,
    duration: durationMs,
    rampDown: durationMs.default(0),
  }),
]);

const common = {
  startTime: durationMs.default(0),
  gracefulStop: durationMs.default(30_000),
  think: thinkSchema.optional(),
  requests: z.array(requestSchema).min(1, 'expected at least one request'),
  data: dataSchema.optional(),
  cookies: z.boolean().default(true),
  zones: z.array(z.string()).optional(),
};

const arrival = {
  preAllocatedVUs: positiveInt.optional(),
  maxVUs: positiveInt.optional(),
  poisson: z.boolean().default(false),
  maxQueue: nonNegativeInt.optional(),
};

export const scenarioSchema = z.discriminatedUnion('executor', [
  strictObject({ executor: z.literal('constant-vus'), vus: positiveInt, duration: durationMs, ...common }),
  strictObject({
    executor: z.literal('ramping-vus'),
    startVUs: nonNegativeInt.default(1),
    stages: z.array(stageSchema).min(1).optional(),
    shape: shapeSchema.optional(),
    gracefulRampDown: durationMs.default(30_000),
    ...common,
  }),
  strictObject({
    executor: z.literal('constant-arrival-rate'),
    rate: rateValue,
    timeUnit: durationMs.default(1000),
    duration: durationMs,
    ...arrival,
    ...common,
  }),
  strictObject({
    executor: z.literal('ramping-arrival-rate'),
    startRate: rateValue.default({ perTimeUnit: 0 }),
    timeUnit: durationMs.default(1000),
    stages: z.array(stageSchema).min(1).optional(),
    shape: shapeSchema.optional(),
    ...arrival,
    ...common,
  }),
  strictObject({
    executor: z.literal('shared-iterations'),
    vus: positiveInt.default(1),
    iterations: positiveInt,
    maxDuration: durationMs.default(600_000),
    ...common,
  }),
  strictObject({
    executor: z.literal('per-vu-iterations'),
    vus: positiveInt.default(1),
    iterations: positiveInt,
    maxDuration: durationMs.default(600_000),
    ...common,
  }),
]);

export const zoneSchema = strictObject({
  name: z.string().min(1),
  share: z.number().positive(),
  latency: durationMs.default(0),
  jitter: durationMs.default(0),
  loss: fraction.default(0),
});

const thresholdItem = z.union(
  [
    z.string(),
    strictObject({
      threshold: z.string(),
      abortOnFail: z.boolean().default(false),
      delayAbortEval: durationMs.default(0),
    }),
  ],
  { error: () => 'expected a threshold such as "p(99)<250" or {threshold, abortOnFail, delayAbortEval}' },
);

export const thresholdsSchema = z.record(
  z.string(),
  z.union([thresholdItem, z.array(thresholdItem)], {
    error: () => 'expected a threshold such as "p(99)<250", or a list of them',
  }),
);

export const loadSectionSchema = strictObject({
  baseUrl: z.string().url('expected an absolute URL such as http://127.0.0.1:8080').optional(),
  allowRemote: z.boolean().default(false),
  workers: positiveInt.optional(),
  seed: z.number().int().optional(),
  timeout: durationMs.default(60_000),
  zones: z.array(zoneSchema).optional(),
  thresholds: thresholdsSchema.optional(),
  scenarios: z.record(z.string(), scenarioSchema),
});

export type LoadSection = z.output<typeof loadSectionSchema>;
export type ScenarioSpec = z.output<typeof scenarioSchema>;
export type RequestSpec = z.output<typeof requestSchema>;
export type CheckSpec = z.output<typeof checkSchema>;
export type ThinkSpec = z.output<typeof thinkSchema>;
export type DataSpec = z.output<typeof dataSchema>;
export type ShapeSpec = z.output<typeof shapeSchema>;
export type StageSpec = z.output<typeof stageSchema>;
export type ZoneSpec = z.output<typeof zoneSchema>;
export type ThresholdsSpec = z.output<typeof thresholdsSchema>;
