import type { Clock } from '../../../core/clock.js';
import type { Random } from '../../../core/random.js';
import type { Chunk, StageContext, StageOutput, Stream, ToxicStage } from './types.js';

/** What moves along a chain: a chunk, or the end of the stream (`close`: of the connection too). */
export type Item = { kind: 'data'; chunk: Chunk } | { kind: 'end'; close: boolean };

/** Anything that takes items: the next runner, or the socket at the end of the chain. */
export interface Sink {
  accept(item: Item): void;
}

/** What a runner needs from its link. */
export interface RunnerHost {
  readonly clock: Clock;
  readonly stream: Stream;
  /** Bytes entered a stage (backpressure accounting). */
  hold(bytes: number): void;
  /** Bytes left a stage. */
  release(bytes: number): void;
  /** The stage asked for a TCP reset of the connection. */
  reset(): void;
  /** A removed runner has nothing left in hand and can be unlinked. */
  drained(runner: StageRunner): void;
  /** A stage threw: a bug in a toxic; the connection is torn down. */
  fail(error: unknown): void;
}

/**
 * Runs one toxic's stage on one direction of one connection, the analogue of a Toxiproxy
 * ToxicStub goroutine: a queue in front of the stage, items handed over one at a time, and
 * interruption when the toxic is removed. A removed runner stays linked, passing items
 * straight through, until what it holds has gone on, so removal never reorders data.
 */
export class StageRunner implements Sink, StageContext {
  /** Where output goes; the link rewires it when stages are added or removed. */
  next: Sink;
  readonly toxicId: number;
  private readonly queue: Item[] = [];
  private busy = false;
  private bypass = false;
  private finished = false;
  private disposed = false;
  private started = false;
  /** Carries the `close` flag of an end item through a stage's `out.end()`. */
  private pendingEndClose = false;
  private readonly abort = new AbortController();
  private readonly out: StageOutput;
  private readonly stage: ToxicStage;

  constructor(
    private readonly host: RunnerHost,
    toxicId: number,
    makeStage: (ctx: StageContext) => ToxicStage,
    next: Sink,
    readonly random: Random,
  ) {
    this.toxicId = toxicId;
    this.next = next;
    this.out = {
      push: (chunk) => {
        if (this.finished || this.disposed) return;
        this.next.accept({ kind: 'data', chunk });
      },
      end: () => this.emitEnd(this.pendingEndClose),
      close: () => this.emitEnd(true),
      reset: () => {
        if (this.disposed) return;
        this.finished = true;
        this.host.reset();
      },
    };
    this.stage = makeStage(this);
  }

  get clock(): Clock {
    return this.host.clock;
  }
  get stream(): Stream {
    return this.host.stream;
  }
  get interrupted(): boolean {
    return this.abort.signal.aborted;
  }

  async sleep(ms: number): Promise<void> {
    const clock = this.host.clock;
    const until = clock.monotonicMs() + ms;
    // Node timers count from the event loop's cached time and round to whole ms, so one
    // can fire a little early; a toxic promises *at least* its delay, so sleep again for
    // what is left (at most a few rounds, each at least 1 ms).
    for (let round = 0; round < 5; round++) {
      const left = until - clock.monotonicMs();
      if (left <= 0 || this.abort.signal.aborted) return;
      await this.sleepOnce(Math.max(1, Math.ceil(left)));
    }
  }

  private sleepOnce(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      // The clock's own sleep also takes the signal, so a system timer is cleared on abort.
      this.host.clock.sleep(ms, signal).then(done, done);
    });
  }

  /** Starts the stage (its timers, for the timeout toxic). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.guard(() => this.stage.start?.(this.out));
  }

  accept(item: Item): void {
    if (this.disposed || this.finished) return;
    if (item.kind === 'data') this.host.hold(item.chunk.data.length);
    this.queue.push(item);
    if (!this.busy) this.pump();
  }

  /** The toxic was removed: interrupt the stage, pass the rest through, unlink when drained. */
  remove(): void {
    if (this.bypass || this.disposed) return;
    this.bypass = true;
    if (!this.finished) this.guard(() => this.stage.removed?.(this.out));
    this.abort.abort();
    if (!this.busy) this.host.drained(this);
  }

  /** The connection is gone: stop everything, drop what is held. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    for (const item of this.queue.splice(0)) {
      if (item.kind === 'data') this.host.release(item.chunk.data.length);
    }
  }

  private pump(): void {
    this.busy = true;
    while (this.queue.length > 0 && !this.disposed) {
      const item = this.queue.shift() as Item;
      let pending: void | Promise<void>;
      try {
        pending = this.process(item);
      } catch (e) {
        this.host.fail(e);
        return;
      }
      if (pending) {
        pending.then(
          () => this.afterAsync(item),
          (e: unknown) => this.host.fail(e),
        );
        return;
      }
      this.done(item);
    }
    this.busy = false;
    if (this.bypass && !this.disposed) this.host.drained(this);
  }

  private afterAsync(item: Item): void {
    this.done(item);
    this.pump();
  }

  private process(item: Item): void | Promise<void> {
    if (this.finished) return;
    if (this.bypass) {
      this.next.accept(item);
      if (item.kind === 'end') this.finished = true;
      return;
    }
    if (item.kind === 'data') return this.stage.data(item.chunk, this.out);
    this.pendingEndClose = item.close;
    if (this.stage.end) return this.stage.end(this.out);
    this.out.end();
  }

  private done(item: Item): void {
    if (item.kind === 'data' && !this.disposed) this.host.release(item.chunk.data.length);
  }

  private emitEnd(close: boolean): void {
    if (this.finished || this.disposed) return;
    this.finished = true;
    // Whatever is still queued behind the end can never be delivered.
    for (const item of this.queue.splice(0)) {
      if (item.kind === 'data') this.host.release(item.chunk.data.length);
    }
    this.next.accept({ kind: 'end', close });
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.host.fail(e);
    }
  }
}
