import { z } from 'zod';
import { crossSectionReferences } from './cross-references.js';
import { sectionSchemas } from './sections/index.js';
import { strictObject } from './types.js';

type Sections = typeof sectionSchemas;
type OptionalSections = { [K in keyof Sections]: z.ZodOptional<Sections[K]> };

function optionalSections(): OptionalSections {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(sectionSchemas)) out[k] = v.optional();
  return out as OptionalSections;
}

/** The whole of `shakedown.yaml`. */
export const specSchema = strictObject({
  version: z.literal(1, { error: () => 'expected version: 1' }).default(1),
  name: z.string().optional(),
  ...optionalSections(),
}).superRefine(crossSectionReferences);

export type Spec = z.output<typeof specSchema>;
