import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';

/** What the mesh's parts share: time, randomness, the event timeline and the logger. */
export interface MeshContext {
  clock: Clock;
  random: Random;
  logger: Logger;
  /** Appends an event (`endpoint.ejected`, `fault.expired`, …) to the mesh's timeline. */
  emit(kind: string, subject: string, data?: Record<string, unknown>): void;
}
