import { z } from 'zod';
import { usageError } from '../../core/errors.js';
import { durationMs, fraction, strictObject } from '../../spec/types.js';
import type { AdminRoute } from '../admin/router.js';
import type { MeshContext } from '../context.js';
import type { MeshPlane } from '../plane.js';
import { startTcpListeners } from './from-spec.js';
import type { TcpProxy } from './proxy.js';
import type { TcpListenerSpec } from './schema.js';

/**
 * The TCP listeners of a spec (`mesh.tcp`) as a plane of the mesh: they start, drain and
 * reset with it, their events join the mesh's timeline, and the admin API drives them
 * under `/v1/tcp/…` with the same token — toxics with a lease (`ttl`), down / up, and
 * repointing the upstream (database failover).
 */
export class TcpPlane implements MeshPlane {
  readonly name = 'tcp';
  private readonly proxies = new Map<string, TcpProxy>();

  constructor(private readonly specs: readonly TcpListenerSpec[]) {
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.name)) throw usageError('E_TCP_DUPLICATE', `two TCP listeners are called "${s.name}"`);
      seen.add(s.name);
    }
  }

  async start(ctx: MeshContext): Promise<void> {
    const started = await startTcpListeners([...this.specs], {
      clock: ctx.clock,
      random: ctx.random.fork(),
      events: { emit: (e) => ctx.emit(e.kind, e.subject, e.data) },
    });
    for (const p of started) this.proxies.set(p.name, p);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
  }

  /** The running listeners by name (empty before start). */
  listeners(): ReadonlyMap<string, TcpProxy> {
    return this.proxies;
  }

  /** The listener called `name`, or a 404-mapped error naming the known ones. */
  listener(name: string): TcpProxy {
    const p = this.proxies.get(name);
    if (!p) {
      throw usageError(
        'E_TCP_UNKNOWN_LISTENER',
        `no TCP listener "${name}"`,
        `listeners: ${[...this.proxies.keys()].join(', ') || '(none)'}`,
      );
    }
    return p;
  }

  addresses(): Array<{ name: string; url: string }> {
    return [...this.proxies.values()].map((p) => ({
      name: p.name,
      url: `tcp://${p.address.host.includes(':') ? `[${p.address.host}]` : p.address.host}:${p.address.port}`,
    }));
  }

  state(): unknown {
    return [...this.proxies.values()].map((p) => p.state());
  }

  async reset(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.reset()));
  }

  adminRoutes(): AdminRoute[] {
    return tcpAdminRoutes(this);
  }
}

const toxicBody = strictObject({
  name: z.string().optional(),
  type: z.string({ error: () => 'expected a toxic type such as "latency"' }),
  stream: z.enum(['upstream', 'downstream']).optional(),
  toxicity: fraction.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  ttl: durationMs.optional(),
});
const renewBody = strictObject({ ttl: durationMs });
const disableBody = strictObject({ ttl: durationMs.optional() });
const upstreamBody = strictObject({
  address: z.string({ error: () => 'expected "host:port"' }),
  existing: z.enum(['close', 'keep', 'reset']).optional(),
});

function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.map(String).join('.') || what}: ${i.message}`);
  throw usageError('E_TCP_INVALID', `invalid ${what}: ${problems.join('; ')}`);
}

/** The plane's admin routes, paths relative to `/v1/tcp`. */
function tcpAdminRoutes(plane: TcpPlane): AdminRoute[] {
  const one = (params: Record<string, string>) => plane.listener(params.listener as string);
  return [
    {
      method: 'GET',
      path: '/listeners',
      summary: 'every TCP listener with its upstream, state, toxics and stats',
      handle: () => ({ json: plane.state() }),
    },
    {
      method: 'GET',
      path: '/listeners/:listener',
      summary: 'one TCP listener',
      handle: (req) => ({ json: one(req.params).state() }),
    },
    {
      method: 'POST',
      path: '/listeners/:listener/toxics',
      summary:
        'add a toxic ({type, name?, stream?, toxicity?, attributes?, ttl?}); with ttl it lapses by itself',
      handle: (req) => {
        const { ttl, ...input } = parseBody(toxicBody, req.body, 'toxic');
        const info = one(req.params).addToxic(input, ttl === undefined ? {} : { ttlMs: ttl });
        return { status: 201, json: info };
      },
    },
    {
      method: 'DELETE',
      path: '/listeners/:listener/toxics/:toxic',
      summary: 'remove a toxic',
      handle: (req) => {
        if (!one(req.params).removeToxic(req.params.toxic as string)) {
          throw usageError(
            'E_TCP_UNKNOWN_TOXIC',
            `no toxic "${req.params.toxic}" on "${req.params.listener}"`,
          );
        }
        return { json: { removed: true } };
      },
    },
    {
      method: 'POST',
      path: '/listeners/:listener/toxics/:toxic/renew',
      summary: "renew a toxic's TTL lease ({ttl}): it ends that long from now",
      handle: (req) => {
        const b = parseBody(renewBody, req.body, 'renewal');
        if (!one(req.params).renewToxic(req.params.toxic as string, b.ttl)) {
          throw usageError(
            'E_TCP_UNKNOWN_TOXIC',
            `no toxic "${req.params.toxic}" on "${req.params.listener}"`,
          );
        }
        return {
          json: one(req.params)
            .toxics()
            .find((t) => t.name === req.params.toxic),
        };
      },
    },
    {
      method: 'POST',
      path: '/listeners/:listener/disable',
      summary:
        'take the listener down: new connections are refused, open ones closed; with {ttl} it comes back up by itself (a lease, renewed by calling again)',
      handle: async (req) => {
        const b = parseBody(disableBody, req.body, 'disable');
        await one(req.params).disable(b.ttl === undefined ? {} : { ttlMs: b.ttl });
        return { json: one(req.params).state() };
      },
    },
    {
      method: 'POST',
      path: '/listeners/:listener/enable',
      summary: 'bring the listener up again',
      handle: async (req) => {
        await one(req.params).enable();
        return { json: one(req.params).state() };
      },
    },
    {
      method: 'PUT',
      path: '/listeners/:listener/upstream',
      summary: 'repoint the listener ({address, existing?: close|keep|reset}), e.g. to a promoted replica',
      handle: async (req) => {
        const b = parseBody(upstreamBody, req.body, 'upstream');
        await one(req.params).setUpstream(
          b.address,
          b.existing === undefined ? {} : { existing: b.existing },
        );
        return { json: one(req.params).state() };
      },
    },
  ];
}
