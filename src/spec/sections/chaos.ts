/**
 * The `chaos:` section: experiments (steady-state hypothesis, method, rollbacks, abort
 * condition, load, databases) and schedules for game days. The schema lives beside the
 * chaos code (src/chaos/schema.ts), built from its fault, probe and action registries.
 */
export { type ChaosSection, chaosSectionSchema } from '../../chaos/schema.js';
