import type { RunEvent } from '../../core/event.js';
import type { Window } from '../../core/window.js';
import type { Fleet } from '../../fleet/fleet.js';
import type { TcpProxy } from '../../mesh/tcp/index.js';
import type { LocalPlatform } from '../../platform/local.js';
import type { ChaosControls, FleetControl, TcpControl } from './types.js';

/**
 * The controls of a platform running in this process (`shakedown chaos run` started it).
 * Events of the whole platform reach chaos through the platform's event sink, handed in
 * as `events`: subscribe here.
 */
export function localControls(
  platform: LocalPlatform,
  events: { subscribe(emit: (e: RunEvent) => void): () => void },
): ChaosControls {
  const mesh = platform.mesh;
  return {
    mesh,
    fleet: platform.fleet ? fleetControl(platform.fleet) : undefined,
    tcp: platform.tcp.size > 0 ? tcpControl(platform.tcp) : undefined,
    listenerUrl: (name) => {
      try {
        return platform.listenerUrl(name);
      } catch {
        return undefined;
      }
    },
    remote:
      platform.adminUrl && platform.tokenFile
        ? { adminUrl: platform.adminUrl, tokenFile: platform.tokenFile }
        : undefined,
    subscribeMeshWindows: (write: (w: Window[]) => void) =>
      mesh ? mesh.subscribeWindows({ write }) : () => {},
    subscribeEvents: (emit) => events.subscribe(emit),
    close: async () => {},
  };
}

export function fleetControl(fleet: Fleet): FleetControl {
  return {
    list: async () => fleet.list(),
    kill: async (id, signal) => fleet.kill(id, signal),
    pause: async (id, ttlMs) => fleet.pause(id, { ttlMs }),
    resume: async (id) => fleet.resume(id),
    fail: async (id, durationMs) => fleet.fail(id, durationMs),
    recover: async (id) => fleet.recover(id),
    scale: (service, replicas, version) => fleet.scale(service, replicas, version ? { version } : {}),
  };
}

export function tcpControl(listeners: ReadonlyMap<string, TcpProxy>): TcpControl {
  const one = (name: string) => {
    const p = listeners.get(name);
    if (!p) throw new Error(`no TCP listener "${name}"; listeners: ${[...listeners.keys()].join(', ')}`);
    return p;
  };
  return {
    listeners: async () => [...listeners.values()].map((p) => p.state()),
    addToxic: async (l, toxic, ttlMs) => {
      one(l).addToxic(toxic, { ttlMs });
    },
    renewToxic: async (l, name, ttlMs) => one(l).renewToxic(name, ttlMs),
    removeToxic: async (l, name) => one(l).removeToxic(name),
    disable: (l, ttlMs) => one(l).disable({ ttlMs }),
    enable: (l) => one(l).enable(),
    setUpstream: (l, address) => one(l).setUpstream(address),
  };
}
