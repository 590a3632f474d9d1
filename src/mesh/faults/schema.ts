import { z } from 'zod';
import { durationMs, fraction, strictObject } from '../../spec/types.js';
import type { FaultSpec } from '../model.js';
import { builtinFaultTypes } from './registry.js';

/**
 * The one schema of a fault as users write it, in `mesh.faults` of the spec and in the
 * admin API's `POST /v1/faults`: the common fields (target, percentage, header trigger,
 * TTL) plus the fields of its `type`, built from the fault type registry.
 */
const commonShape = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected an id of letters, digits and . _ : - (at most 64)')
    .optional(),
  route: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  percentage: fraction.default(1),
  header: z
    .union([z.string().min(1), strictObject({ name: z.string().min(1), equals: z.string().optional() })], {
      error: () => 'expected a header name, or {name, equals}',
    })
    .optional(),
  ttl: durationMs.optional(),
};

const commonKeys = new Set(Object.keys(commonShape).concat('type'));

type FaultObject = z.ZodObject<z.ZodRawShape>;
const variants = builtinFaultTypes.map((t) =>
  strictObject({ type: z.literal(t.type), ...commonShape, ...t.shape }),
) as unknown as [FaultObject, ...FaultObject[]];

export const faultInputSchema = z.discriminatedUnion('type', variants);

/** A fault input after validation (flat, units parsed). */
export type FaultInput = z.output<typeof faultInputSchema>;

/** Splits a validated input into the normalized {@link FaultSpec}. */
export function toFaultSpec(input: FaultInput): FaultSpec {
  const raw = input as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!commonKeys.has(k) && v !== undefined) params[k] = v;
  const header = raw.header as string | { name: string; equals?: string } | undefined;
  const target: FaultSpec['target'] = {};
  if (raw.route !== undefined) target.route = raw.route as string;
  if (raw.service !== undefined) target.service = raw.service as string;
  if (raw.version !== undefined) target.version = raw.version as string;
  const spec: FaultSpec = {
    type: raw.type as string,
    target,
    percentage: raw.percentage as number,
    params,
  };
  if (raw.id !== undefined) spec.id = raw.id as string;
  if (raw.ttl !== undefined) spec.ttlMs = raw.ttl as number;
  if (header !== undefined) {
    spec.header =
      typeof header === 'string'
        ? { name: header.toLowerCase() }
        : {
            name: header.name.toLowerCase(),
            ...(header.equals !== undefined ? { equals: header.equals } : {}),
          };
  }
  return spec;
}
