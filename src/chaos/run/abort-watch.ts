import type { Probe } from '../probes/types.js';

/**
 * The run-wide abort condition: each entry is a probe that must keep passing; failing for
 * `for` ms in a row (0: once) aborts the experiment — everything is reverted and the run
 * is marked aborted. Pure state over the results it is given.
 */
export interface AbortCondition {
  name: string;
  probe: Probe;
  forMs: number;
}

export class AbortWatch {
  private readonly failingSince = new Map<string, number>();

  constructor(readonly conditions: readonly AbortCondition[]) {}

  /** Feeds one result; returns a reason when the condition has now held long enough to abort. */
  update(name: string, ok: boolean, t: number, detail: string | undefined): string | undefined {
    const c = this.conditions.find((x) => x.name === name);
    if (!c) return undefined;
    if (ok) {
      this.failingSince.delete(name);
      return undefined;
    }
    const since = this.failingSince.get(name) ?? t;
    this.failingSince.set(name, since);
    if (t - since >= c.forMs)
      return `${name} failed for ${Math.round(t - since)} ms${detail ? `: ${detail}` : ''}`;
    return undefined;
  }
}
