import { chaosSectionSchema } from './chaos.js';
import { loadSectionSchema } from './load.js';
import { meshSectionSchema } from './mesh.js';
import { rolloutSectionSchema } from './rollout.js';
import { servicesSectionSchema } from './services.js';
import { watchSectionSchema } from './watch.js';

/**
 * The sections of `shakedown.yaml`, one schema each. Adding a section is one file in this
 * folder and one line here; the root schema rejects any top-level key not listed.
 */
export const sectionSchemas = {
  load: loadSectionSchema,
  watch: watchSectionSchema,
  services: servicesSectionSchema,
  mesh: meshSectionSchema,
  chaos: chaosSectionSchema,
  rollout: rolloutSectionSchema,
} as const;
