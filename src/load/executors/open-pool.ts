import type { ExecutionSegment } from '../model.js';
import type { ScenarioRuntime } from '../scenario-runtime.js';
import { globalIndex } from '../segment.js';
import type { Vu } from '../vu.js';

/**
 * The VU pool of open-model (arrival-rate) executors, and the reason their latency is
 * honest. A start due at time T takes an idle VU; if none is idle and the pool may grow,
 * a new VU is made; otherwise the start waits in a bounded FIFO and, when a VU frees up,
 * runs with its latency still counted from T (no coordinated omission, as wrk2). Starts
 * that find the queue full are dropped and counted as dropped iterations.
 */
export class OpenPool {
  private readonly idle: Vu[] = [];
  /** Each VU's release callback, made once so a start allocates nothing. */
  private readonly releases = new Map<Vu, () => void>();
  private readonly queue: Float64Array;
  private head = 0;
  private size = 0;
  private allocated = 0;
  private inFlight = 0;
  private closed = false;
  private drainedResolve: (() => void) | undefined;

  constructor(
    private readonly rt: ScenarioRuntime,
    private readonly segment: ExecutionSegment,
    preAllocated: number,
    private readonly maxVus: number,
    maxQueue: number,
  ) {
    this.queue = new Float64Array(Math.max(0, maxQueue));
    for (let i = 0; i < Math.min(preAllocated, maxVus); i++) this.idle.push(this.newVu());
  }

  private newVu(): Vu {
    const vu = this.rt.createVu(globalIndex(this.allocated++, this.segment));
    this.releases.set(vu, () => this.release(vu));
    return vu;
  }

  /** A start is due; `intendedMs` is its due time on the monotonic clock. */
  start(intendedMs: number): void {
    if (this.closed) return;
    let vu = this.idle.pop();
    if (!vu && this.allocated < this.maxVus) vu = this.newVu();
    if (vu) {
      this.run(vu, intendedMs);
      return;
    }
    if (this.size < this.queue.length) {
      this.queue[(this.head + this.size) % this.queue.length] = intendedMs;
      this.size++;
      return;
    }
    this.rt.recorder.recordDropped(this.rt.droppedKeyId);
  }

  private run(vu: Vu, intendedMs: number): void {
    this.inFlight++;
    this.rt.vuStarted();
    vu.runOnce(intendedMs, this.releases.get(vu) as () => void);
  }

  private release(vu: Vu): void {
    this.inFlight--;
    this.rt.vuFinished();
    if (!this.closed && this.size > 0) {
      const t = this.queue[this.head] as number;
      this.head = (this.head + 1) % this.queue.length;
      this.size--;
      this.run(vu, t);
      return;
    }
    this.idle.push(vu);
    if (this.inFlight === 0 && this.size === 0) this.drainedResolve?.();
  }

  /** Resolves when nothing is in flight and nothing is queued. */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.size === 0) return Promise.resolve();
    return new Promise((r) => {
      this.drainedResolve = r;
    });
  }

  /** Stops running queued starts; they are counted as dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.size > 0) this.rt.recorder.recordDropped(this.rt.droppedKeyId, this.size);
    this.size = 0;
    if (this.inFlight === 0) this.drainedResolve?.();
  }

  get allocatedVus(): number {
    return this.allocated;
  }
}
