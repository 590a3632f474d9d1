import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Alert } from '../alert.js';

/**
 * Where alerts go. `notify` gets the alerts whose state changed at an evaluation (newly
 * firing or resolved); `tick` is called after every evaluation with everything still
 * firing, for notifiers that re-send (Alertmanager expects that).
 */
export interface Notifier {
  notify(changed: readonly Alert[]): Promise<void>;
  tick?(firing: readonly Alert[]): Promise<void>;
}

export interface NotifierContext {
  clock: Clock;
  log: Logger;
  /** Stream for human-readable output (console notifier). */
  out: { write(s: string): unknown };
  /** The evaluation interval; Alertmanager alerts stay valid for a few of them. */
  evaluationIntervalMs: number;
}

/** A notifier type: its spec schema (with `type`) and how to build it. */
export interface NotifierPlugin<C extends { type: string } = { type: string }> {
  summary: string;
  schema: z.ZodType<C>;
  create(config: C, ctx: NotifierContext): Notifier;
}

/** ISO 8601 as Alertmanager writes times. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
