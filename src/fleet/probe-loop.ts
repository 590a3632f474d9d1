import type { Clock } from '../core/clock.js';
import type { ProbeDefinition } from './definition.js';
import {
  initialProbeCounters,
  type ProbeKind,
  type ProbeReaction,
  probeReaction,
  recordProbe,
} from './probe-state.js';

/** What a probe loop needs from its replica. */
export interface ProbeLoopHooks {
  clock: Clock;
  /** Runs one check (an HTTP GET or TCP connect). */
  check(): Promise<boolean>;
  /** While true, no check runs and no result counts (the replica is SIGSTOPped). */
  paused(): boolean;
  /** While true, checks run every 100 ms at most (before a run is first ready). */
  fast(): boolean;
  /** Acts on a reaction; the loop waits for it. */
  react(reaction: Exclude<ProbeReaction, 'none' | 'started'>): Promise<void>;
  /** The startup probe passed. */
  started?(): void;
}

/**
 * Runs one probe of a replica until `signal` aborts (the process ended), feeding each
 * result to the probe state machine and acting on its transitions. A startup probe's loop
 * ends when it passes (`started`) or gives up (`restart`), a liveness loop when it asks
 * for a restart. Bounded by the process's lifetime; one check at a time.
 */
export async function runProbeLoop(
  kind: ProbeKind,
  probe: ProbeDefinition,
  signal: AbortSignal,
  hooks: ProbeLoopHooks,
): Promise<void> {
  await hooks.clock.sleep(probe.initialDelayMs, signal);
  let counters = initialProbeCounters();
  while (!signal.aborted) {
    if (!hooks.paused()) {
      const ok = await hooks.check();
      const r = recordProbe(counters, ok, probe);
      // A result that arrives after the process ended, or while it is paused, does not count.
      if (!signal.aborted && !hooks.paused()) {
        counters = r.counters;
        const reaction = r.transition ? probeReaction(kind, r.transition) : 'none';
        if (reaction === 'started') {
          hooks.started?.();
          return;
        }
        if (reaction !== 'none') await hooks.react(reaction);
        if (reaction === 'restart') return;
      }
    }
    await hooks.clock.sleep(hooks.fast() ? Math.min(probe.intervalMs, 100) : probe.intervalMs, signal);
  }
}
