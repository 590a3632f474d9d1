import type { MeshControl } from '../../mesh/control.js';
import type { OverrideConfig } from '../../mesh/model.js';
import type { HeaderRoute } from '../model.js';
import type { HeaderRouting, Mirroring, TrafficRouter } from './router.js';

/**
 * The local traffic router: Shakedown's own mesh through its control surface (in process
 * or over the admin API). Weights are the mesh's smooth weighted round robin, exact over
 * every hundred requests at percent weights. A header route is put in front of the
 * service's own overrides (which come back when it is removed); the mirror replaces the
 * service's mirror and its removal restores the one it had.
 */
export class MeshTrafficRouter implements TrafficRouter, HeaderRouting, Mirroring {
  readonly type = 'mesh';
  private readonly original = new Map<
    string,
    { overrides: OverrideConfig[]; mirror: { version: string; fraction: number } | null }
  >();

  constructor(private readonly mesh: MeshControl) {}

  setWeights(service: string, weights: Record<string, number>): Promise<void> {
    return this.mesh.setWeights(service, weights);
  }

  weights(service: string): Promise<Record<string, number>> {
    return this.mesh.weights(service);
  }

  async setHeaderRoute(service: string, version: string, match: HeaderRoute | null): Promise<void> {
    const o = await this.originalOf(service);
    const route: OverrideConfig[] = match ? [{ ...match, version }] : [];
    await this.mesh.setRouting(service, { overrides: [...route, ...o.overrides] });
  }

  async setMirror(service: string, version: string, fraction: number): Promise<void> {
    const o = await this.originalOf(service);
    await this.mesh.setRouting(service, {
      mirror:
        fraction > 0
          ? { version, percentage: fraction }
          : o.mirror
            ? { version: o.mirror.version, percentage: o.mirror.fraction }
            : null,
    });
  }

  /** The service's routing before this router changed it. */
  private async originalOf(service: string) {
    let o = this.original.get(service);
    if (!o) {
      const s = (await this.mesh.state()).services.find((x) => x.name === service);
      o = { overrides: s?.overrides ?? [], mirror: s?.mirror ?? null };
      this.original.set(service, o);
    }
    return o;
  }
}
