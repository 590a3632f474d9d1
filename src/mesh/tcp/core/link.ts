import type { Socket } from 'node:net';
import type { Clock } from '../../../core/clock.js';
import type { Random } from '../../../core/random.js';
import { type Item, type RunnerHost, type Sink, StageRunner } from './runner.js';
import type { StageContext, Stream, ToxicStage } from './types.js';

/** What a link reports to its connection. */
export interface LinkOwner {
  /** The end of this direction reached the destination socket (`close`: close it all). */
  linkEnded(stream: Stream, close: boolean): void;
  reset(): void;
  fail(error: unknown): void;
}

/** Options of a {@link ToxicLink}. */
export interface ToxicLinkOptions {
  stream: Stream;
  source: Socket;
  destination: Socket;
  clock: Clock;
  owner: LinkOwner;
  /** Bytes held in the chain plus the destination's write buffer above which reading pauses. */
  highWaterMarkBytes: number;
}

/**
 * One direction of one connection: source socket → toxic stages → destination socket, as
 * Toxiproxy's ToxicLink. Backpressure is by byte count: the source is paused while the
 * stages and the destination's write buffer together hold more than the high-water mark,
 * and resumed below half of it, so a slow peer or a slow toxic never makes memory grow.
 */
export class ToxicLink implements RunnerHost {
  readonly stream: Stream;
  readonly clock: Clock;
  /** Bytes read from the source. */
  receivedBytes = 0;
  /** Bytes written to the destination. */
  sentBytes = 0;
  private heldBytes = 0;
  private paused = false;
  private ended = false;
  private closed = false;
  private head: Sink;
  private readonly runners: StageRunner[] = [];
  private readonly tail: Sink;
  private readonly source: Socket;
  private readonly destination: Socket;
  private readonly owner: LinkOwner;
  private readonly highWaterMarkBytes: number;

  constructor(options: ToxicLinkOptions) {
    this.stream = options.stream;
    this.clock = options.clock;
    this.source = options.source;
    this.destination = options.destination;
    this.owner = options.owner;
    this.highWaterMarkBytes = options.highWaterMarkBytes;
    this.tail = { accept: (item) => this.deliver(item) };
    this.head = this.tail;
  }

  /** Bytes held by the stages and not yet written to the destination socket. */
  get bufferedBytes(): number {
    return this.heldBytes + this.destination.writableLength;
  }

  /** Starts reading the source. */
  start(): void {
    this.source.on('data', (data: Buffer) => this.read(data));
    this.source.on('end', () => this.head.accept({ kind: 'end', close: false }));
    this.destination.on('drain', () => this.maybeResume());
  }

  /** Appends a toxic's stage to the end of the chain (Toxiproxy adds new toxics last). */
  addStage(toxicId: number, makeStage: (ctx: StageContext) => ToxicStage, random: Random): void {
    if (this.closed) return;
    const runner = new StageRunner(this, toxicId, makeStage, this.tail, random);
    const last = this.runners.at(-1);
    if (last) last.next = runner;
    else this.head = runner;
    this.runners.push(runner);
    runner.start();
  }

  /** Removes a toxic's stage; data it holds goes on first, without the toxic's effect. */
  removeStage(toxicId: number): boolean {
    const runner = this.runners.find((r) => r.toxicId === toxicId);
    if (!runner) return false;
    runner.remove();
    return true;
  }

  /** Ids of the toxics acting on this link, in chain order. */
  toxicIds(): number[] {
    return this.runners.map((r) => r.toxicId);
  }

  /** Stops all stages; nothing more is delivered. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.runners) r.dispose();
    this.runners.length = 0;
    this.head = { accept: () => {} };
  }

  hold(bytes: number): void {
    this.heldBytes += bytes;
  }

  release(bytes: number): void {
    this.heldBytes -= bytes;
    this.maybeResume();
  }

  reset(): void {
    this.owner.reset();
  }

  fail(error: unknown): void {
    this.owner.fail(error);
  }

  drained(runner: StageRunner): void {
    const i = this.runners.indexOf(runner);
    if (i < 0) return;
    const prev = this.runners[i - 1];
    if (prev) prev.next = runner.next;
    else this.head = runner.next;
    this.runners.splice(i, 1);
  }

  private read(data: Buffer): void {
    if (this.closed) return;
    this.receivedBytes += data.length;
    this.head.accept({ kind: 'data', chunk: { data, dueMs: this.clock.monotonicMs() } });
    if (!this.paused && this.bufferedBytes > this.highWaterMarkBytes) {
      this.paused = true;
      this.source.pause();
    }
  }

  private maybeResume(): void {
    if (!this.paused || this.closed || this.bufferedBytes > this.highWaterMarkBytes / 2) return;
    this.paused = false;
    this.source.resume();
  }

  private deliver(item: Item): void {
    if (this.closed || this.ended) return;
    if (item.kind === 'data') {
      const dest = this.destination;
      if (dest.destroyed || dest.writableEnded) return;
      this.sentBytes += item.chunk.data.length;
      dest.write(item.chunk.data);
      return;
    }
    this.ended = true;
    this.owner.linkEnded(this.stream, item.close);
  }
}
