import type { z } from 'zod';
import { usageError } from '../../../core/errors.js';
import type { Random } from '../../../core/random.js';
import type { Window } from '../../../core/window.js';
import type { Literal } from '../condition.js';

/**
 * Where an analysis gets its measurements: a registry of providers keyed by `type`, each
 * one file (the mesh's windows, the canary judge over them, the Prometheus HTTP API, a web
 * check, a command). A provider measures one period and returns a {@link Reading}; the
 * analysis runner turns readings into measurements (conditions, the no-data policy) and a
 * thrown error into an `error` measurement.
 */
export interface MeasureContext {
  service: string;
  stableVersion: string;
  canaryVersion: string;
  /** The measured period, ms since the epoch. */
  startMs: number;
  endMs: number;
  /** The mesh's windows that started in [sinceMs, untilMs), decoded. */
  windows(sinceMs: number, untilMs: number): Promise<Window[]>;
  random: Random;
  signal: AbortSignal;
  /** Where relative paths (a command's cwd) resolve. */
  baseDir: string;
}

export type Reading =
  /** A value for the metric's success / failure conditions. */
  | { kind: 'value'; value: Literal; message?: string; detail?: unknown }
  /** Nothing to measure (no requests, an empty query): the no-data policy decides. */
  | { kind: 'no-data'; message: string; detail?: unknown }
  /** A provider that decides by itself (the judge's score, a command's exit code). */
  | {
      kind: 'phase';
      phase: 'successful' | 'failed' | 'inconclusive';
      value: Literal | null;
      message: string;
      detail?: unknown;
      /** The judge's no-data, which the policy still decides. */
      noData?: boolean;
    };

export interface AnalysisProvider {
  measure(ctx: MeasureContext): Promise<Reading>;
}

export interface ProviderPlugin<C extends { type: string } = { type: string }> {
  summary: string;
  schema: z.ZodType<C>;
  create(config: C): AnalysisProvider;
  /** A success condition used when the metric gives none (a web check without jsonPath: 2xx). */
  defaultSuccessCondition?(config: C): string | undefined;
}

/** The names `{{…}}` may use in queries, URLs, bodies and command arguments. */
export const argNames = ['service', 'canary', 'stable', 'start', 'end', 'interval'] as const;

const argRe = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

/** Checks that a template uses only known names; for schema refinements. */
export function unknownArgs(text: string): string[] {
  return [...text.matchAll(argRe)]
    .map((m) => m[1] as string)
    .filter((n) => !(argNames as readonly string[]).includes(n));
}

/** Fills `{{service}}`, `{{canary}}`, `{{stable}}`, `{{start}}`/`{{end}}` (s), `{{interval}}` ("30s"). */
export function fillArgs(text: string, ctx: MeasureContext): string {
  const values: Record<(typeof argNames)[number], string> = {
    service: ctx.service,
    canary: ctx.canaryVersion,
    stable: ctx.stableVersion,
    start: String(Math.floor(ctx.startMs / 1000)),
    end: String(Math.floor(ctx.endMs / 1000)),
    interval: `${Math.max(1, Math.round((ctx.endMs - ctx.startMs) / 1000))}s`,
  };
  return text.replace(argRe, (_all, n: string) => {
    const v = values[n as keyof typeof values];
    if (v === undefined) throw usageError('E_ROLLOUT_ARG', `unknown {{${n}}} in ${JSON.stringify(text)}`);
    return v;
  });
}

/** A zod refinement message for templates with unknown names. */
export function argsMessage(text: string): string | undefined {
  const bad = unknownArgs(text);
  return bad.length
    ? `unknown {{${bad[0]}}}; expected one of ${argNames.map((n) => `{{${n}}}`).join(', ')}`
    : undefined;
}
