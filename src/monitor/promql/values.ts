import type { Labels } from '../labels.js';
import type { Sample } from '../tsdb.js';

/** One element of an instant vector. */
export interface VectorSample {
  labels: Labels;
  value: number;
}

/** One series of a range vector. */
export interface MatrixSeries {
  labels: Labels;
  samples: Sample[];
}

/** What a PromQL expression evaluates to at one instant. */
export type Value =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: VectorSample[] }
  | { type: 'matrix'; series: MatrixSeries[]; rangeMs: number; endMs: number };

/** Labels without the metric name (operators and functions drop it). */
export function withoutName(labels: Labels): Labels {
  if (labels.__name__ === undefined) return labels;
  const { __name__: _, ...rest } = labels;
  return rest;
}
