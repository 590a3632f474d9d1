import type { DrainResult, MeshEndpoint, MeshPort } from './mesh-port.js';

/**
 * One replica's membership in the mesh. Calls for the endpoint run strictly in order
 * (add → drain → remove → add …), each after the previous one finished, so a replica that
 * turns unready and ready again, or dies while joining, never leaves a stale endpoint
 * behind. A failing call is reported through `onError`, not thrown: the replica keeps
 * running, and the next call still runs.
 */
export class MeshMembership {
  private joined: MeshEndpoint | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly mesh: MeshPort | undefined,
    private readonly service: string,
    private readonly version: string,
    private readonly onError: (message: string) => void,
  ) {}

  /** Resolves when every call queued so far has finished. */
  settled(): Promise<unknown> {
    return this.chain;
  }

  /** True when the endpoint is in the mesh (as of the calls finished so far). */
  get isJoined(): boolean {
    return this.joined !== undefined;
  }

  /** Adds the endpoint, unless `stillWanted()` says otherwise by the time the call runs. */
  join(endpoint: MeshEndpoint, stillWanted: () => boolean): Promise<unknown> {
    const mesh = this.mesh;
    if (!mesh) return Promise.resolve();
    return this.queue(async () => {
      if (!stillWanted()) return;
      await mesh.addEndpoint(this.service, this.version, endpoint);
      this.joined = endpoint;
    });
  }

  /** Takes the endpoint out, draining it first (`drainTimeoutMs`) unless `drain` is false. */
  async leave(drain: boolean, drainTimeoutMs: number): Promise<DrainResult> {
    const mesh = this.mesh;
    let result: DrainResult = { drained: true, inFlight: 0 };
    if (!mesh) return result;
    // Checked inside the queue: an add still in flight counts as joined.
    await this.queue(async () => {
      const endpoint = this.joined;
      if (!endpoint) return;
      this.joined = undefined;
      if (drain) result = await mesh.drainEndpoint(this.service, this.version, endpoint, drainTimeoutMs);
      await mesh.removeEndpoint(this.service, this.version, endpoint);
    });
    return result;
  }

  private queue(op: () => Promise<void>): Promise<unknown> {
    this.chain = this.chain.then(op).catch((e: unknown) => {
      this.onError(e instanceof Error ? e.message : String(e));
    });
    return this.chain;
  }
}
