import type { Random } from '../../../core/random.js';

/**
 * Whether a toxic acts on a connection: drawn once per connection and toxic, when the
 * connection starts (for the toxics then in force) or when the toxic is added (for the
 * connections then open), as Toxiproxy's ToxicStub does. Toxicity 1 always acts, 0 never.
 */
export function drawToxicity(toxicity: number, random: Random): boolean {
  if (toxicity >= 1) return true;
  if (toxicity <= 0) return false;
  return random.next() < toxicity;
}
