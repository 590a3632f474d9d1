import type { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { Random } from '../../../core/random.js';

/**
 * The contract between the TCP proxy and its toxics, after Toxiproxy's ToxicStub chain:
 * each direction of a connection is a chain of stages, one per toxic, that data passes
 * through in order. A stage sees one item at a time (a chunk, or the end of the stream) and
 * decides what reaches the next stage and when. Adding a toxic type is one file that
 * exports a {@link ToxicType}, one line in `registry.ts` and one test.
 */

/**
 * Which way the toxic acts, in Toxiproxy's words: `upstream` is client → server (requests),
 * `downstream` is server → client (responses).
 */
export type Stream = 'upstream' | 'downstream';

/** The two streams, in a fixed order. */
export const streams: readonly Stream[] = ['upstream', 'downstream'];

/** Bytes on their way through a chain. */
export interface Chunk {
  data: Buffer;
  /**
   * Monotonic ms at which this chunk is due at the current stage: when it was read from the
   * source socket, moved on by stages that delay it (so chained latencies add up per chunk,
   * not per queue position).
   */
  dueMs: number;
}

/** What a stage may do with its output. Calls after the stream ended are ignored. */
export interface StageOutput {
  /** Passes a chunk to the next stage. */
  push(chunk: Chunk): void;
  /** Ends this direction (passes on the end the stage received, or a half-close). */
  end(): void;
  /** Ends this direction and closes the whole connection once the end reaches the socket. */
  close(): void;
  /** Resets the connection now: a TCP RST to both peers, anything buffered is dropped. */
  reset(): void;
}

/** What a stage gets from the runtime: injected time and randomness, and interruption. */
export interface StageContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly stream: Stream;
  /**
   * True once the toxic was removed from this connection or the connection is closing. An
   * interrupted stage finishes the item in hand without delays, so no data is dropped
   * (Toxiproxy's "don't drop any data on the floor").
   */
  readonly interrupted: boolean;
  /** Waits `ms` on the clock; resolves at once when interrupted or `ms <= 0`. */
  sleep(ms: number): Promise<void>;
}

/**
 * One toxic on one direction of one connection. Items arrive one at a time: the next one is
 * handed over only when the promise returned for the previous one settles (a Go `Pipe`
 * loop reading its input channel).
 */
export interface ToxicStage {
  /** Called once when the toxic starts acting on this connection. */
  start?(out: StageOutput): void;
  /** One chunk. */
  data(chunk: Chunk, out: StageOutput): void | Promise<void>;
  /** The end of the input. Default: `out.end()`. */
  end?(out: StageOutput): void | Promise<void>;
  /**
   * The toxic was removed while this connection is open; the stage is then bypassed. The
   * timeout toxic closes the connection here, as Toxiproxy's does, since it dropped data.
   */
  removed?(out: StageOutput): void;
}

/** How much of the data a toxic lets through unchanged (checked by the contract test). */
export type DataIntegrity =
  /** Every byte arrives, unchanged and in order. */
  | 'complete'
  /** What arrives is an unchanged, in-order prefix of what was sent (maybe empty). */
  | 'prefix';

/** A toxic type: its attributes' schema and a factory of stages. */
export interface ToxicType<A = unknown> {
  /** Toxiproxy's type name, e.g. `latency`, `reset_peer`. */
  readonly type: string;
  /** One line for docs and `--help`. */
  readonly summary: string;
  /** Strict schema of the attributes (units in the names); parses spec and API input. */
  readonly attributes: z.ZodType<A>;
  readonly integrity: DataIntegrity;
  /** Attributes that show the toxic working; used by docs and the contract test. */
  readonly example: Record<string, unknown>;
  /** Makes the stage for one connection. */
  create(attributes: A, ctx: StageContext): ToxicStage;
}

/** Defines a toxic type with its attribute type inferred from the schema. */
export function defineToxic<S extends z.ZodType>(def: {
  type: string;
  summary: string;
  attributes: S;
  integrity: DataIntegrity;
  example: Record<string, unknown>;
  create(attributes: z.output<S>, ctx: StageContext): ToxicStage;
}): ToxicType<z.output<S>> {
  return def as ToxicType<z.output<S>>;
}
