import { recordUs } from '../core/histogram.js';
import { createWindow, type FailureClass, type Window, type WindowKey } from '../core/window.js';

/**
 * Records request outcomes into per-second windows, one per registered key. Keys are
 * registered up front and addressed by number, so the hot path does no string work.
 * Windows are aligned to the run start; a window is final once its second is over and
 * `flush()` hands every finished one out.
 */
export interface RequestOutcome {
  latencyUs: number;
  serviceTimeUs: number;
  bytesIn: number;
  bytesOut: number;
  /** Undefined when the request succeeded. */
  failure: FailureClass | undefined;
  checksPassed: number;
  checksFailed: number;
}

export class Recorder {
  private readonly keys: WindowKey[] = [];
  private current: Array<Window | undefined> = [];
  private currentIndex = 0;
  private readonly finished: Window[] = [];

  constructor(
    private readonly runStartMs: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Registers a key and returns its number. */
  addKey(key: WindowKey): number {
    this.keys.push(key);
    this.current.push(undefined);
    return this.keys.length - 1;
  }

  private windowFor(keyId: number, atMs = this.now()): Window {
    const idx = Math.max(0, Math.floor((atMs - this.runStartMs) / this.windowMs));
    if (idx !== this.currentIndex) this.rotate(idx);
    let w = this.current[keyId];
    if (w === undefined) {
      w = createWindow(this.runStartMs + idx * this.windowMs, this.windowMs, this.keys[keyId] as WindowKey);
      this.current[keyId] = w;
    }
    return w;
  }

  private rotate(idx: number): void {
    if (idx < this.currentIndex) return;
    for (const w of this.current) if (w) this.finished.push(w);
    this.current = new Array(this.keys.length).fill(undefined);
    this.currentIndex = idx;
  }

  /** Records an outcome completed at `atMs` (monotonic clock). */
  record(keyId: number, atMs: number, o: RequestOutcome): void {
    const w = this.windowFor(keyId, atMs);
    recordUs(w.latencyUs, o.latencyUs);
    recordUs(w.serviceTimeUs, o.serviceTimeUs);
    const c = w.counters;
    c.requests++;
    c.iterations++;
    c.bytesIn += o.bytesIn;
    c.bytesOut += o.bytesOut;
    c.checksPassed += o.checksPassed;
    c.checksFailed += o.checksFailed;
    if (o.failure !== undefined) {
      c.errors++;
      c.failures[o.failure]++;
    }
  }

  /** A request that never got a response to time (zone loss): counted, no latency. */
  recordLoss(keyId: number): void {
    const c = this.windowFor(keyId).counters;
    c.requests++;
    c.iterations++;
    c.errors++;
    c.failures.loss++;
  }

  recordDropped(keyId: number, count = 1): void {
    this.windowFor(keyId).counters.droppedIterations += count;
  }

  /** The index of the second in progress. */
  secondIndex(): number {
    return Math.max(0, Math.floor((this.now() - this.runStartMs) / this.windowMs));
  }

  /** Returns every window whose second is over; with `all`, the current ones too. */
  flush(all = false): Window[] {
    const idx = this.secondIndex();
    if (idx > this.currentIndex) this.rotate(idx);
    if (all) this.rotate(this.currentIndex + 1);
    return this.finished.splice(0, this.finished.length);
  }
}
