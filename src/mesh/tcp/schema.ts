import { z } from 'zod';
import type { Registry } from '../../core/registry.js';
import { durationMs, fraction, positiveInt, sizeBytes, strictObject } from '../../spec/types.js';
import { createToxicRegistry } from './core/registry.js';
import type { ToxicType } from './core/types.js';
import { parseHostPort } from './host-port.js';

/**
 * The spec form of TCP listeners and their toxics, for `mesh.tcp: [...]`. Toxic fields are
 * Toxiproxy's (`name`, `type`, `stream`, `toxicity`, `attributes`), attribute names carry
 * their units (`latencyMs`, `rateKBps`, `delayUs`), and each type's attributes are checked
 * by that type's own strict schema from the registry, so errors name the exact attribute.
 */

const nameRe = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function address(what: string, allowPortZero: boolean) {
  return z
    .union([z.string(), z.number()], {
      error: () => `expected the ${what} as host:port, such as "127.0.0.1:5432"`,
    })
    .transform((v, ctx) => {
      try {
        return parseHostPort(v, { allowPortZero, what });
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    });
}

/** Builds the toxic schema for a registry (the default one unless plug-ins add types). */
export function toxicSchema(registry: Registry<ToxicType> = createToxicRegistry()) {
  const types = registry.types();
  return strictObject({
    name: z.string().regex(nameRe, 'expected a name of letters, digits, ".", "_" or "-"').optional(),
    type: z.string().refine((t) => registry.has(t), {
      error: (iss) => `unknown toxic type ${JSON.stringify(iss.input)}; expected one of: ${types.join(', ')}`,
    }),
    stream: z
      .enum(['upstream', 'downstream'], {
        error: () => 'expected "upstream" (client → server) or "downstream" (server → client)',
      })
      .default('downstream'),
    toxicity: fraction.default(1),
    attributes: z
      .record(z.string(), z.unknown(), { error: () => 'expected a map of attributes' })
      .default({}),
    /** Removes the toxic by itself after this long (a lease). */
    ttl: durationMs.optional(),
  }).transform((t, ctx) => {
    const def = registry.get(t.type);
    const parsed = def.attributes.safeParse(t.attributes);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, path: ['attributes', ...issue.path] } as z.core.$ZodRawIssue);
      }
      return z.NEVER;
    }
    return {
      name: t.name ?? `${t.type}_${t.stream}`,
      type: t.type,
      stream: t.stream,
      toxicity: t.toxicity,
      attributes: parsed.data as Record<string, unknown>,
      ...(t.ttl === undefined ? {} : { ttlMs: t.ttl }),
    };
  });
}

/** One toxic in spec form, validated (attributes parsed to numbers in their units). */
export const tcpToxicSchema = toxicSchema();

/** One TCP listener (a Toxiproxy "proxy") in spec form. */
export const tcpListenerSchema = strictObject({
  name: z.string().regex(nameRe, 'expected a name of letters, digits, ".", "_" or "-"'),
  /** Where to listen; port 0 picks a free port. */
  listen: address('listen address', true).default({ host: '127.0.0.1', port: 0 }),
  /** Where connections go. */
  upstream: address('upstream address', false),
  /** `false` is Toxiproxy's "down": connections are refused. */
  enabled: z.boolean().default(true),
  /** What happens to open connections when the upstream is repointed. */
  onUpstreamChange: z
    .enum(['close', 'keep', 'reset'], { error: () => 'expected "close", "keep" or "reset"' })
    .default('close'),
  connectTimeout: durationMs.default(10_000),
  /** Bytes a direction may hold (in toxics and socket buffers) before reading pauses. */
  bufferSize: sizeBytes
    .refine((n) => n >= 65_536, { error: () => 'expected at least 64KiB' })
    .default(1024 * 1024),
  maxConnections: positiveInt.default(10_000),
  /** Listening off loopback or proxying to a remote host needs this (safe by default). */
  allowRemote: z.boolean().default(false),
  toxics: z.array(tcpToxicSchema).default([]),
}).superRefine((l, ctx) => {
  const seen = new Set<string>();
  l.toxics.forEach((t, i) => {
    if (seen.has(t.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['toxics', i, 'name'],
        message: `duplicate toxic name "${t.name}"; toxics of a listener need distinct names (default: <type>_<stream>)`,
      });
    }
    seen.add(t.name);
  });
});

export type TcpToxicSpec = z.output<typeof tcpToxicSchema>;
export type TcpListenerSpec = z.output<typeof tcpListenerSchema>;
