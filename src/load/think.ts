import type { Random } from '../core/random.js';
import type { ThinkConfig } from './model.js';

/** Draws a think time in ms (the pause a user takes between iterations). */
export function drawThinkMs(think: ThinkConfig, random: Random): number {
  switch (think.type) {
    case 'none':
      return 0;
    case 'constant':
      return think.valueMs;
    case 'uniform':
      return think.minMs + random.next() * (think.maxMs - think.minMs);
    case 'exponential': {
      const v = random.exponential(think.meanMs);
      return think.maxMs === undefined ? v : Math.min(v, think.maxMs);
    }
  }
}
