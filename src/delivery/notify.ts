import { type Clock, systemClock } from '../core/clock.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { type Alert, fingerprint } from '../monitor/alert.js';
import type { Notifier } from '../monitor/notifiers/notifier.js';
import { notifierRegistry } from '../monitor/notifiers/registry.js';
import { describeStatus, type RolloutStatus } from './status.js';

/**
 * Rollout notifications through the monitor's notifiers (webhook in Alertmanager's v4
 * format, Alertmanager's v2 API, console): an abort is a firing `RolloutAborted` alert
 * (severity warning), a promotion a `RolloutPromoted` alert that is resolved at once (so
 * Alertmanager shows it and lets it go). Labels: alertname, service, version, stable,
 * strategy, by (who aborted); annotations: summary and description.
 */
export function rolloutAlert(kind: 'aborted' | 'promoted', s: RolloutStatus, nowMs: number): Alert {
  const labels = {
    alertname: kind === 'aborted' ? 'RolloutAborted' : 'RolloutPromoted',
    service: s.service,
    version: s.version,
    stable: s.stableVersion,
    strategy: s.strategy,
    severity: kind === 'aborted' ? 'warning' : 'info',
    ...(s.abortedBy ? { by: s.abortedBy } : {}),
  };
  const summary =
    kind === 'aborted'
      ? `rollout of ${s.service} ${s.version} aborted, traffic back on ${s.stableVersion}`
      : `${s.service} ${s.version} promoted`;
  return {
    labels,
    annotations: { summary, description: kind === 'aborted' ? (s.abortReason ?? '') : describeStatus(s) },
    status: kind === 'aborted' ? 'firing' : 'resolved',
    value: s.weight,
    startsAtMs: kind === 'aborted' ? (s.timings.abortedMs ?? nowMs) : (s.timings.promotedMs ?? nowMs),
    ...(kind === 'promoted' ? { endsAtMs: nowMs } : {}),
    group: 'rollout',
    kind: 'alert',
    fingerprint: fingerprint(labels),
  };
}

/** Notifiers from `notifiers:` configs, and a function sending a rollout's alert to all of them. */
export function rolloutNotifier(
  configs: ReadonlyArray<{ type: string } & Record<string, unknown>>,
  opts: { clock?: Clock; log?: Logger; out?: { write(s: string): unknown } } = {},
): ((kind: 'aborted' | 'promoted', s: RolloutStatus) => Promise<void>) | undefined {
  if (configs.length === 0) return undefined;
  const registry = notifierRegistry();
  const clock = opts.clock ?? systemClock;
  const notifiers: Notifier[] = configs.map((c) =>
    registry.get(c.type).create(registry.get(c.type).schema.parse(c) as { type: string }, {
      clock,
      log: opts.log ?? silentLogger,
      out: opts.out ?? process.stderr,
      evaluationIntervalMs: 60_000,
    }),
  );
  return async (kind, s) => {
    const alert = rolloutAlert(kind, s, clock.now());
    const results = await Promise.allSettled(notifiers.map((n) => n.notify([alert])));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(failed.map((f) => String(f.reason)).join('; '));
  };
}
