import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ShakedownError, usageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { failureClasses } from '../core/window.js';
import { isValidRunId } from './run-id.js';
import type { ResultsStore, RunExport, RunRecord } from './types.js';

/**
 * The JSON a run is exported as (`shakedown runs export`) and imported from (`runs import`,
 * and `compare` given a file): the run record, its windows with histograms in HdrHistogram's
 * compressed base64 encoding, and its events. Versioned; files are validated on the way in
 * and errors name the JSON path and what was expected.
 */
const count = z.number().nonnegative();
const counters = z.object({
  requests: count,
  errors: count,
  failures: z.object(
    Object.fromEntries(failureClasses.map((f) => [f, count])) as Record<string, typeof count>,
  ),
  checksPassed: count,
  checksFailed: count,
  bytesIn: count,
  bytesOut: count,
  iterations: count,
  droppedIterations: count,
});

const windowKey = z.object({
  scenario: z.string().optional(),
  request: z.string().optional(),
  zone: z.string().optional(),
  route: z.string().optional(),
  service: z.string().optional(),
  version: z.string().optional(),
});

const encodedWindow = z.object({
  startMs: z.number(),
  durationMs: z.number().positive(),
  key: windowKey,
  latencyUs: z.string().min(1),
  serviceTimeUs: z.string().min(1),
  counters,
});

const event = z.object({
  t: z.number(),
  kind: z.string(),
  source: z.string(),
  subject: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const nullableString = z.string().nullable();
const run = z.object({
  id: z.string().refine(isValidRunId, 'expected an id of letters, digits, "-", "_" or "."'),
  kind: z.string().min(1),
  status: z.enum(['running', 'passed', 'failed', 'aborted']),
  specHash: nullableString,
  startMs: z.number(),
  endMs: z.number().nullable(),
  heartbeatMs: z.number(),
  plannedDurationMs: z.number().nullable(),
  gitSha: nullableString,
  gitBranch: nullableString,
  environment: nullableString,
  tags: z.record(z.string(), z.string()),
  pid: z.number().nullable(),
  host: nullableString,
  summary: z.unknown(),
  abortReason: nullableString,
  meta: z.record(z.string(), z.unknown()),
});

export const runExportSchema = z.object({
  format: z.literal('shakedown.run', { error: () => 'expected format: "shakedown.run"' }),
  version: z.literal(1, { error: () => 'expected version: 1 (exported by this shakedown)' }),
  exportedAt: z.string(),
  run,
  windows: z.array(encodedWindow),
  events: z.array(event),
});

/** The export of a stored run. */
export async function exportRun(
  store: ResultsStore,
  record: RunRecord,
  now = new Date(),
): Promise<RunExport> {
  const { windowCount: _w, eventCount: _e, ...rest } = record;
  return {
    format: 'shakedown.run',
    version: 1,
    exportedAt: now.toISOString(),
    run: rest,
    windows: await store.windows(record.id),
    events: await store.events(record.id),
  };
}

/** Validates parsed JSON as a run export; `source` names it in errors. */
export function parseRunExport(value: unknown, source: string): RunExport {
  const r = runExportSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw usageError(
      'E_RUN_FILE',
      `${source}: not a shakedown run export at ${at}: ${issue?.message ?? 'invalid'}`,
      'export runs with `shakedown runs export ID -o FILE`',
    );
  }
  return r.data as RunExport;
}

/** Reads and validates an exported run file. */
export function readRunExportFile(path: string): RunExport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ShakedownError('E_RUN_FILE', `cannot read ${path}: ${(e as Error).message}`, {
      exitCode: ExitCode.environment,
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw usageError('E_RUN_FILE', `${path}: not JSON (${(e as Error).message})`);
  }
  return parseRunExport(json, path);
}
