import type { ExecutionSegment } from './model.js';

/**
 * Execution segments (k6's idea, striped): worker `index` of `count` owns the VUs and the
 * starts whose global number `n` has `n % count === index`. Striping keeps every segment's
 * share exact at every moment, so ramping shapes and rates add up across workers.
 */

/** How many of the global items `0 … total-1` belong to `seg`. */
export function countInSegment(total: number, seg: ExecutionSegment): number {
  if (total <= seg.index) return 0;
  return Math.floor((total - 1 - seg.index) / seg.count) + 1;
}

/** True when global item `n` belongs to `seg`. */
export function inSegment(n: number, seg: ExecutionSegment): boolean {
  return n % seg.count === seg.index;
}

/** The global number of the segment's `i`-th item. */
export function globalIndex(i: number, seg: ExecutionSegment): number {
  return i * seg.count + seg.index;
}
