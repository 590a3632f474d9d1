import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { ChaosControls } from '../control/types.js';
import type { ProbeResult } from '../measure/types.js';
import type { DatabaseRegistry } from '../postgres/databases.js';
import type { LiveWindows } from './live-windows.js';

/**
 * A steady-state probe type: one file each, one `register` line. A probe checks one thing
 * now — an HTTP status, a live window metric, an SLO's availability, writes going through
 * — against its tolerance; the hypothesis is the set of probes, checked every interval.
 */
export interface ProbeContext {
  controls: ChaosControls;
  live: LiveWindows;
  databases: DatabaseRegistry;
  clock: Clock;
}

export interface Probe {
  check(signal: AbortSignal): Promise<Omit<ProbeResult, 'probe'>>;
}

export interface ProbeType<P = Record<string, unknown>> {
  readonly type: string;
  readonly summary: string;
  /** The type's own fields (besides `type`, `name`, `phases`). */
  readonly shape: z.ZodRawShape;
  create(params: P, ctx: ProbeContext): Probe;
}

export function defineProbe<S extends z.ZodRawShape>(
  p: Omit<ProbeType<z.output<z.ZodObject<S>>>, 'shape'> & { shape: S },
): ProbeType {
  return p as unknown as ProbeType;
}
