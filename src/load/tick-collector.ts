import { keyId, mergeWindowInto, type Window } from '../core/window.js';
import type { VuGauge } from './aggregate.js';
import type { SegmentTick } from './segment-runner.js';

/**
 * Merges the per-second windows of several segments (worker threads) exactly, and releases
 * a second only once every segment has finished it — so a percentile is never computed
 * from a partial second.
 */
export class TickCollector {
  private readonly pending = new Map<number, Map<string, Window>>();
  /** Per segment, the VU gauges of its ticks, in order, each tagged with the second it closed. */
  private readonly gauges: Array<Array<{ index: number; vus: VuGauge[] }>>;
  private readonly completed: number[];
  private readonly lastGauges: Array<VuGauge[] | undefined>;
  private nextIndex = 0;
  private maxIndexSeen = -1;

  constructor(
    segments: number,
    private readonly runStartMs: number,
    private readonly windowMs: number,
    private readonly release: (index: number, t: number, windows: Window[], vus: VuGauge[]) => void,
  ) {
    this.completed = new Array(segments).fill(0);
    this.gauges = Array.from({ length: segments }, () => []);
    this.lastGauges = new Array(segments).fill(undefined);
  }

  add(segment: number, tick: SegmentTick): void {
    for (const w of tick.windows) {
      const idx = Math.round((w.startMs - this.runStartMs) / this.windowMs);
      this.maxIndexSeen = Math.max(this.maxIndexSeen, idx);
      let m = this.pending.get(idx);
      if (!m) {
        m = new Map();
        this.pending.set(idx, m);
      }
      const id = keyId(w.key);
      const have = m.get(id);
      if (have) mergeWindowInto(have, w);
      else m.set(id, w);
    }
    const gaugeIndex = Number.isFinite(tick.completedSeconds)
      ? tick.completedSeconds - 1
      : Number.POSITIVE_INFINITY;
    this.gauges[segment]?.push({ index: gaugeIndex, vus: tick.vus });
    this.completed[segment] = Math.max(this.completed[segment] as number, tick.completedSeconds);
    this.drain(Math.min(...this.completed));
  }

  /** Releases every second still held (all segments are done). */
  finish(): void {
    this.drain(this.maxIndexSeen + 1);
  }

  private drain(upTo: number): void {
    const limit = Number.isFinite(upTo) ? upTo : this.maxIndexSeen + 1;
    while (this.nextIndex < limit) {
      const idx = this.nextIndex++;
      const windows = [...(this.pending.get(idx)?.values() ?? [])];
      this.pending.delete(idx);
      const vus: VuGauge[] = [];
      for (let s = 0; s < this.gauges.length; s++) {
        // The gauge of second idx is the one of the tick that closed it (or a later one,
        // when one tick closed several seconds).
        const queue = this.gauges[s] as Array<{ index: number; vus: VuGauge[] }>;
        while (queue.length > 0 && (queue[0]?.index as number) < idx) this.lastGauges[s] = queue.shift()?.vus;
        const own = queue[0]?.vus ?? this.lastGauges[s];
        if (queue[0]?.index === idx) this.lastGauges[s] = queue.shift()?.vus;
        if (own) vus.push(...own);
      }
      this.release(idx, this.runStartMs + idx * this.windowMs, windows, mergeGauges(vus));
    }
  }
}

function mergeGauges(vus: VuGauge[]): VuGauge[] {
  const by = new Map<string, VuGauge>();
  for (const v of vus) {
    const have = by.get(v.scenario);
    if (have) {
      have.active += v.active;
      have.allocated += v.allocated;
    } else {
      by.set(v.scenario, { ...v });
    }
  }
  return [...by.values()];
}
