import { createHistogram, decodeHistogram, encodeHistogram, type Histogram } from './histogram.js';

/**
 * The Window contract (DESIGN.md): one interval (a second by default) of measurements
 * for one key. Producers (load, mesh) emit them; consumers (store, thresholds, reports,
 * dashboard) read them. Windows with the same start and key merge exactly.
 */

/** What a window measures. Absent fields mean "all" for that dimension. */
export interface WindowKey {
  scenario?: string;
  request?: string;
  zone?: string;
  route?: string;
  service?: string;
  version?: string;
}

/** Why a request failed. Statuses count only when not among the expected ones. */
export const failureClasses = [
  'connect',
  'timeout',
  'reset',
  'status4xx',
  'status5xx',
  'loss',
  'other',
] as const;
export type FailureClass = (typeof failureClasses)[number];

export interface WindowCounters {
  /** Requests completed (any outcome, including failures). */
  requests: number;
  /** Requests that failed (transport error or unexpected status); sum of `failures`. */
  errors: number;
  failures: Record<FailureClass, number>;
  checksPassed: number;
  checksFailed: number;
  bytesIn: number;
  bytesOut: number;
  /** Iterations started (closed models) or starts executed (open models). */
  iterations: number;
  /** Starts that found no VU and no room in the queue (open models). */
  droppedIterations: number;
}

export interface Window {
  /** Start of the interval, ms since the epoch. */
  startMs: number;
  durationMs: number;
  key: WindowKey;
  /** Latency in µs: from the intended start in open models, from send in closed ones. */
  latencyUs: Histogram;
  /** Service time in µs: actual send to response end. */
  serviceTimeUs: Histogram;
  counters: WindowCounters;
}

/** A window in transferable form: histograms as HdrHistogram compressed base64. */
export interface EncodedWindow {
  startMs: number;
  durationMs: number;
  key: WindowKey;
  latencyUs: string;
  serviceTimeUs: string;
  counters: WindowCounters;
}

export function emptyCounters(): WindowCounters {
  return {
    requests: 0,
    errors: 0,
    failures: { connect: 0, timeout: 0, reset: 0, status4xx: 0, status5xx: 0, loss: 0, other: 0 },
    checksPassed: 0,
    checksFailed: 0,
    bytesIn: 0,
    bytesOut: 0,
    iterations: 0,
    droppedIterations: 0,
  };
}

export function createWindow(startMs: number, durationMs: number, key: WindowKey): Window {
  return {
    startMs,
    durationMs,
    key,
    latencyUs: createHistogram(),
    serviceTimeUs: createHistogram(),
    counters: emptyCounters(),
  };
}

/** Adds `b`'s counters into `a`. */
export function addCounters(a: WindowCounters, b: WindowCounters): void {
  a.requests += b.requests;
  a.errors += b.errors;
  for (const c of failureClasses) a.failures[c] += b.failures[c];
  a.checksPassed += b.checksPassed;
  a.checksFailed += b.checksFailed;
  a.bytesIn += b.bytesIn;
  a.bytesOut += b.bytesOut;
  a.iterations += b.iterations;
  a.droppedIterations += b.droppedIterations;
}

/** Merges `src` into `dst` exactly (histogram addition, counter addition). */
export function mergeWindowInto(dst: Window, src: Window): void {
  dst.latencyUs.add(src.latencyUs);
  dst.serviceTimeUs.add(src.serviceTimeUs);
  addCounters(dst.counters, src.counters);
}

/** A stable string for a key, usable as a map key. Field order is fixed. */
export function keyId(k: WindowKey): string {
  return `${k.scenario ?? ''}\u0001${k.request ?? ''}\u0001${k.zone ?? ''}\u0001${k.route ?? ''}\u0001${k.service ?? ''}\u0001${k.version ?? ''}`;
}

export function encodeWindow(w: Window): EncodedWindow {
  return {
    startMs: w.startMs,
    durationMs: w.durationMs,
    key: w.key,
    latencyUs: encodeHistogram(w.latencyUs),
    serviceTimeUs: encodeHistogram(w.serviceTimeUs),
    counters: w.counters,
  };
}

export function decodeWindow(e: EncodedWindow): Window {
  return {
    startMs: e.startMs,
    durationMs: e.durationMs,
    key: e.key,
    latencyUs: decodeHistogram(e.latencyUs),
    serviceTimeUs: decodeHistogram(e.serviceTimeUs),
    counters: { ...e.counters, failures: { ...e.counters.failures } },
  };
}

/** Something that accepts finished windows (an output, a store, a worker port). */
export interface WindowSink {
  write(windows: Window[]): void;
}
