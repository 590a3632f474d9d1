import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Alert } from '../alert.js';

/**
 * Automated responses: something done when an alert fires or resolves — run a command,
 * call a control API (restart or kill a replica, eject an endpoint, scale, roll back).
 * Every run is recorded as an event with its outcome.
 */
export interface ActionOutcome {
  ok: boolean;
  /** What happened, one line (exit code, HTTP status, error). */
  detail: string;
  durationMs: number;
}

export interface ActionRunner {
  run(alert: Alert, signal: AbortSignal): Promise<Omit<ActionOutcome, 'durationMs'>>;
}

export interface ActionContext {
  clock: Clock;
  /** Directory relative paths (token files) resolve against. */
  baseDir: string;
}

/** An action type: its spec schema (with `type`) and how to build it. */
export interface ActionPlugin<C extends { type: string } = { type: string }> {
  summary: string;
  schema: z.ZodType<C>;
  create(config: C, ctx: ActionContext): ActionRunner;
}
