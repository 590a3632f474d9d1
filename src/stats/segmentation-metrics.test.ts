import { describe, expect, it } from 'vitest';
import {
  covering,
  coverSingle,
  fMeasure,
  partitionFromChangePoints,
  truePositives,
} from './segmentation-metrics.js';

// The doctests of TCPDBench's analysis/scripts/metrics.py, case by case.
const seg = (sets: number[][]): Array<[number, number]> =>
  sets.map((s) => [Math.min(...s), Math.max(...s) + 1]);

describe('TCPD metrics (doctests of metrics.py)', () => {
  it('true_positives', () => {
    expect([...truePositives([1, 10, 20, 23], [3, 8, 20])].sort((a, b) => a - b)).toEqual([1, 10, 20]);
    expect([...truePositives([1, 10, 20, 23], [1, 3, 8, 20])].sort((a, b) => a - b)).toEqual([1, 10, 20]);
    expect([...truePositives([1, 10, 20, 23], [1, 3, 5, 8, 20])].sort((a, b) => a - b)).toEqual([1, 10, 20]);
    expect(truePositives([], [1, 2, 3]).size).toBe(0);
    expect(truePositives([1, 2, 3], []).size).toBe(0);
  });

  it('f_measure', () => {
    expect(fMeasure({ 1: [10, 20], 2: [11, 20], 3: [10], 4: [0, 5] }, [10, 20]).f).toBe(1);
    expect(fMeasure({ 1: [], 2: [10], 3: [50] }, [10]).f).toBeCloseTo(0.9090909090909091, 12);
    expect(fMeasure({ 1: [], 2: [10], 3: [50] }, []).f).toBeCloseTo(0.8, 12);
  });

  it('partition_from_cps', () => {
    expect(partitionFromChangePoints([], 5)).toEqual([[0, 5]]);
    expect(partitionFromChangePoints([3, 5], 8)).toEqual([
      [0, 3],
      [3, 5],
      [5, 8],
    ]);
    expect(partitionFromChangePoints([1, 2, 7], 8)).toEqual([
      [0, 1],
      [1, 2],
      [2, 7],
      [7, 8],
    ]);
    expect(partitionFromChangePoints([0, 4], 6)).toEqual([
      [0, 4],
      [4, 6],
    ]);
  });

  it('cover_single', () => {
    expect(
      coverSingle(
        seg([[1, 2, 3], [4, 5], [6]]),
        seg([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toBeCloseTo(0.8333333333333334, 12);
    expect(
      coverSingle(
        seg([
          [1, 2, 3, 4],
          [5, 6],
        ]),
        seg([[1, 2, 3, 4, 5, 6]]),
      ),
    ).toBeCloseTo(0.6666666666666666, 12);
    expect(
      coverSingle(
        seg([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
        seg([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toBeCloseTo(0.6666666666666666, 12);
    expect(coverSingle(seg([[1, 2, 3, 4, 5, 6]]), seg([[1], [2], [3], [4, 5, 6]]))).toBeCloseTo(
      0.3333333333333333,
      12,
    );
  });

  it('covering', () => {
    expect(covering({ 1: [10, 20], 2: [10], 3: [0, 5] }, [10, 20], 45)).toBeCloseTo(0.7962962962962963, 12);
    expect(covering({ 1: [], 2: [10], 3: [40] }, [10], 45)).toBeCloseTo(0.7954144620811286, 12);
    expect(covering({ 1: [], 2: [10], 3: [40] }, [], 45)).toBeCloseTo(0.8189300411522634, 12);
  });
});
