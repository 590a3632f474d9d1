import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Labels } from '../labels.js';
import type { MemorySeriesStore, Sample } from '../tsdb.js';

/**
 * Where `watch` gets metrics: each source collects into the shared series store on its
 * own interval (scrape a /metrics endpoint, query the Prometheus HTTP API, probe a URL
 * into Shakedown's own windows).
 */
export interface Source {
  readonly name: string;
  readonly intervalMs: number;
  collect(signal: AbortSignal): Promise<void>;
  stop?(): Promise<void>;
}

export interface SourceContext {
  store: MemorySeriesStore;
  clock: Clock;
  log: Logger;
  /** Default collection interval. */
  intervalMs: number;
}

export interface SourcePlugin<C extends { type: string } = { type: string }> {
  summary: string;
  schema: z.ZodType<C>;
  create(config: C, ctx: SourceContext): Source;
}

/** A time range for {@link MetricProvider} queries. */
export interface TimeRange {
  startMs: number;
  endMs: number;
  stepMs: number;
}

export interface MetricQuery {
  /** A PromQL expression. */
  expr: string;
}

export interface Series {
  labels: Labels;
  samples: Sample[];
}

/** The metric-provider contract (DESIGN.md): a range query over some store of metrics. */
export interface MetricProvider {
  query(q: MetricQuery, range: TimeRange): Promise<Series[]>;
}
