import { Cron } from 'croner';
import { usageError } from '../../core/errors.js';

/**
 * When a schedule (game days) runs its experiments next: `every` N after the previous run
 * started (a run longer than N starts the next at once), or the next time a cron expression
 * matches (5 fields, or 6 with seconds; croner's syntax) after the previous run ended.
 * Pure over the times it is given.
 */
export type ScheduleRule = { everyMs: number } | { cron: string };

export function checkCron(expr: string): void {
  try {
    new Cron(expr, { paused: true });
  } catch (e) {
    throw usageError(
      'E_CHAOS_CRON',
      `invalid cron expression "${expr}": ${(e as Error).message}`,
      'e.g. "0 */2 * * *" (every two hours)',
    );
  }
}

export function nextRunMs(rule: ScheduleRule, lastStartMs: number, lastEndMs: number): number {
  if ('everyMs' in rule) return Math.max(lastEndMs, lastStartMs + rule.everyMs);
  const next = new Cron(rule.cron, { paused: true }).nextRun(new Date(lastEndMs));
  if (!next) throw usageError('E_CHAOS_CRON', `cron expression "${rule.cron}" never matches again`);
  return next.getTime();
}
