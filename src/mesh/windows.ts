import {
  type EncodedWindow,
  encodeWindow,
  type FailureClass,
  type Window,
  type WindowKey,
  type WindowSink,
} from '../core/window.js';
import { Recorder, type RequestOutcome } from '../load/recorder.js';

/**
 * The mesh's traffic as per-second Windows (the DESIGN.md contract), one per route ×
 * service × version, for in-process consumers (store, watch, rollout analysis,
 * dashboard): `subscribe(sink)` delivers each second's finished windows. The last
 * `keepWindows` seconds are also kept encoded so other processes can read them through the
 * admin API. Windows are aligned to wall-clock seconds. Reuses the load engine's recorder:
 * keys are registered once and addressed by number, so recording allocates nothing.
 */
export class MeshWindows {
  private readonly recorder: Recorder;
  private readonly sinks: WindowSink[] = [];
  private readonly recent: EncodedWindow[] = [];
  private readonly outcome: RequestOutcome = {
    latencyUs: 0,
    serviceTimeUs: 0,
    bytesIn: 0,
    bytesOut: 0,
    failure: undefined,
    checksPassed: 0,
    checksFailed: 0,
  };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number,
    readonly windowMs: number,
    private readonly keepWindows = 600,
    private readonly onSinkError: (e: unknown) => void = () => {},
  ) {
    const t = now();
    this.recorder = new Recorder(Math.floor(t / windowMs) * windowMs, windowMs, now);
  }

  /** Registers a key; returns its number for {@link record}. */
  addKey(key: WindowKey): number {
    return this.recorder.addKey(key);
  }

  /** Records one finished downstream request (µs, bytes; `failure` undefined on success). */
  record(
    key: number,
    latencyUs: number,
    serviceTimeUs: number,
    bytesIn: number,
    bytesOut: number,
    failure: FailureClass | undefined,
  ): void {
    const o = this.outcome;
    o.latencyUs = latencyUs;
    o.serviceTimeUs = serviceTimeUs;
    o.bytesIn = bytesIn;
    o.bytesOut = bytesOut;
    o.failure = failure;
    this.recorder.record(key, this.now(), o);
  }

  /** Delivers every finished window to `sink` from now on; returns the unsubscribe function. */
  subscribe(sink: WindowSink): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  /** Encoded windows that started at or after `sinceMs` (ms since the epoch), oldest first. */
  since(sinceMs: number): EncodedWindow[] {
    return this.recent.filter((w) => w.startMs >= sinceMs);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(false), Math.min(this.windowMs, 1000));
    this.timer.unref();
  }

  /** Stops the timer and delivers everything recorded, the current second included. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush(true);
  }

  private flush(all: boolean): void {
    const windows: Window[] = this.recorder.flush(all);
    if (windows.length === 0) return;
    for (const w of windows) this.recent.push(encodeWindow(w));
    const cutoff = this.now() - this.keepWindows * this.windowMs;
    let drop = 0;
    while (drop < this.recent.length && (this.recent[drop] as EncodedWindow).startMs < cutoff) drop++;
    if (drop > 0) this.recent.splice(0, drop);
    for (const s of this.sinks) {
      try {
        s.write(windows);
      } catch (e) {
        this.onSinkError(e);
      }
    }
  }
}
