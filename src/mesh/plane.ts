import type { AdminRoute } from './admin/router.js';
import type { MeshContext } from './context.js';

/**
 * An extension plane of the mesh: something with its own listeners that starts, drains and
 * resets with the HTTP data plane and is driven through the same admin API. This is where
 * the TCP listeners (Toxiproxy-style toxics, issue 3 item 7, `src/mesh/tcp/`) plug in: a
 * plane named `tcp` built from the spec's `mesh.tcp` section, passed to `new Mesh(config,
 * { planes: [tcpPlane] })`, its admin routes mounted under `/v1/tcp/…`.
 */
export interface MeshPlane {
  /** Short name: the admin path prefix (`/v1/<name>/…`) and the key in `state().planes`. */
  readonly name: string;
  start(ctx: MeshContext): Promise<void>;
  /** Graceful stop: stop accepting, let what is in flight finish within `drainTimeoutMs`. */
  stop(drainTimeoutMs: number): Promise<void>;
  /** Listening addresses, for `shakedown mesh` to print. */
  addresses(): Array<{ name: string; url: string }>;
  state(): unknown;
  /** Admin reset: remove what was added at run time (toxics). */
  reset(): Promise<void>;
  /** Admin routes, paths relative to `/v1/<name>`. */
  adminRoutes?(): AdminRoute[];
}
