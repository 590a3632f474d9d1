import type { Clock } from '../../core/clock.js';
import type { EventSink } from '../../core/event.js';
import type { Random } from '../../core/random.js';
import { TcpProxy } from './proxy.js';
import type { TcpProxyOptions } from './proxy-options.js';
import type { TcpListenerSpec } from './schema.js';

/** What the runtime injects into listeners built from a spec. */
export interface TcpRuntime {
  clock?: Clock;
  random?: Random;
  events?: EventSink;
}

/** The options of a {@link TcpProxy} for a validated `mesh.tcp[]` entry. */
export function tcpProxyOptionsFromSpec(spec: TcpListenerSpec, runtime: TcpRuntime = {}): TcpProxyOptions {
  return {
    name: spec.name,
    listen: spec.listen,
    upstream: spec.upstream,
    enabled: spec.enabled,
    onUpstreamChange: spec.onUpstreamChange,
    connectTimeoutMs: spec.connectTimeout,
    highWaterMarkBytes: spec.bufferSize,
    maxConnections: spec.maxConnections,
    allowRemote: spec.allowRemote,
    ...runtime,
  };
}

/**
 * Starts the listeners of a spec with their toxics (those with a `ttl` get a lease). If one
 * cannot start, those already started are closed and the error is thrown.
 */
export async function startTcpListeners(
  specs: TcpListenerSpec[],
  runtime: TcpRuntime = {},
): Promise<TcpProxy[]> {
  const started: TcpProxy[] = [];
  try {
    for (const spec of specs) {
      const proxy = new TcpProxy(tcpProxyOptionsFromSpec(spec, runtime));
      for (const t of spec.toxics) {
        proxy.addToxic(
          { name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: t.attributes },
          t.ttlMs === undefined ? {} : { ttlMs: t.ttlMs },
        );
      }
      started.push(proxy);
      await proxy.listen();
    }
  } catch (e) {
    await Promise.all(started.map((p) => p.close()));
    throw e;
  }
  return started;
}
