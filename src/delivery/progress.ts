import type { RunEvent } from '../core/event.js';

/**
 * The lines `rollout start` prints while it runs (stderr, unless --quiet): one per
 * milestone — replicas ready, each step, each measurement with its phase, pauses, the
 * decision and how fast traffic went back. Returns undefined for events not worth a line.
 */
export function progressLine(e: RunEvent, stepsTotal: number): string | undefined {
  const d = e.data as Record<string, unknown>;
  const sec = (ms: unknown) => `${(Number(ms) / 1000).toFixed(1)} s`;
  switch (e.kind) {
    case 'rollout.started':
      return `rollout ${e.subject} ${d.stableVersion} → ${d.version} (${d.strategy}, ${stepsTotal} step${stepsTotal === 1 ? '' : 's'})`;
    case 'rollout.canary.ready':
      return `  ${d.version}: ${d.replicas} replica${d.replicas === 1 ? '' : 's'} ready in ${sec(d.durationMs)}`;
    case 'rollout.step.started':
      return `  step ${Number(d.index) + 1}/${stepsTotal} ${d.step}`;
    case 'analysis.measurement':
      return `    ${d.metric}: ${d.phase} — ${d.message}`;
    case 'analysis.completed':
      return d.phase === 'successful' ? undefined : `    analysis ${d.name}: ${d.phase}`;
    case 'rollout.paused':
      return `  paused: ${d.message}`;
    case 'rollout.resumed':
      return '  resumed';
    case 'rollout.promoting':
      return '  switching all traffic';
    case 'rollout.promoted':
      return `  promoted in ${sec(d.durationMs)}`;
    case 'rollout.abort-requested':
      // An analysis' reason was just printed with its measurement.
      return d.by === 'analysis' ? '  aborting: the analysis failed' : `  aborting (${d.by}): ${d.reason}`;
    case 'rollout.rolled-back':
      return `  traffic back on the stable version ${sec(d.sinceAbortMs)} after the decision${
        d.sinceFailedPeriodEndMs !== null && d.sinceFailedPeriodEndMs !== undefined
          ? `, ${sec(d.sinceFailedPeriodEndMs)} after the failing analysis window closed`
          : ''
      }`;
    case 'rollout.scaled-down':
      return `  ${d.version} scaled down`;
    case 'rollout.rollback-failed':
    case 'rollout.scale-down-failed':
    case 'rollout.notify-failed':
      return `  warning: ${e.kind}: ${d.error}`;
    default:
      return undefined;
  }
}
