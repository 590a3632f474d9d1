import { describe, expect, it } from 'vitest';
import { assessAnalysis, assessMetric, noDataPhase } from './assess.js';
import type { AnalysisPhase, Measurement, MeasurementPhase, MetricLimits } from './model.js';

const m = (phase: MeasurementPhase, message: string = phase): Measurement => ({
  startMs: 0,
  endMs: 1,
  phase,
  value: null,
  message,
});
const seq = (...phases: MeasurementPhase[]) => phases.map((p, i) => m(p, `${p} #${i + 1}`));
const limits = (over: Partial<MetricLimits> = {}): MetricLimits => ({
  count: 3,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  ...over,
});

describe('assessMetric (Argo assessMetricStatus)', () => {
  it('runs until count measurements are taken, then succeeds', () => {
    expect(assessMetric('x', [], limits()).phase).toBe('running');
    expect(assessMetric('x', seq('successful'), limits()).phase).toBe('running');
    expect(assessMetric('x', seq('successful', 'successful'), limits()).message).toBe(
      '2 of 3 measurements taken',
    );
    const r = assessMetric('x', seq('successful', 'successful', 'successful'), limits());
    expect(r).toMatchObject({ phase: 'successful', successful: 3, failed: 0 });
    expect(r.message).toBe('3 of 3 measurements successful');
  });

  it('fails at the first failure with the default failureLimit 0, without waiting for count', () => {
    const r = assessMetric('x', seq('successful', 'failed'), limits({ count: 10 }));
    expect(r.phase).toBe('failed');
    expect(r.message).toContain('1 failed measurement (failure limit 0): failed #2');
  });

  it('tolerates failureLimit failures and fails on the next one', () => {
    const l = limits({ count: 5, failureLimit: 2 });
    expect(assessMetric('x', seq('failed', 'successful', 'failed'), l).phase).toBe('running');
    expect(
      assessMetric('x', seq('failed', 'successful', 'failed', 'successful', 'successful'), l).phase,
    ).toBe('successful');
    expect(assessMetric('x', seq('failed', 'failed', 'failed'), l).phase).toBe('failed');
  });

  it('is inconclusive past inconclusiveLimit', () => {
    expect(assessMetric('x', seq('inconclusive'), limits()).phase).toBe('inconclusive');
    expect(assessMetric('x', seq('inconclusive'), limits({ inconclusiveLimit: 1 })).phase).toBe('running');
    const r = assessMetric(
      'x',
      seq('inconclusive', 'successful', 'inconclusive'),
      limits({ inconclusiveLimit: 1 }),
    );
    expect(r.phase).toBe('inconclusive');
    expect(r.message).toContain('inconclusive #3');
  });

  it('failure outranks inconclusive when both limits are crossed', () => {
    expect(assessMetric('x', seq('inconclusive', 'failed'), limits()).phase).toBe('failed');
  });

  it('errors only count in a row: more than consecutiveErrorLimit is an error', () => {
    const l = limits({ count: 20, consecutiveErrorLimit: 2 });
    expect(assessMetric('x', seq('error', 'error'), l).phase).toBe('running');
    const r = assessMetric('x', seq('error', 'error', 'error'), l);
    expect(r).toMatchObject({ phase: 'error', errors: 3, consecutiveErrors: 3 });
    expect(r.message).toContain('3 errors in a row (limit 2): error #3');
    // A success resets the streak.
    expect(assessMetric('x', seq('error', 'error', 'successful', 'error', 'error'), l)).toMatchObject({
      phase: 'running',
      consecutiveErrors: 2,
      errors: 4,
    });
  });

  it('errors count towards count; a metric with some errors and successes succeeds', () => {
    const r = assessMetric('x', seq('error', 'successful', 'error'), limits());
    expect(r.phase).toBe('successful');
    expect(r.message).toBe('1 of 3 measurements successful');
  });

  it('unlike Argo, a metric whose every measurement errored is inconclusive, not successful', () => {
    const r = assessMetric('x', seq('error', 'error', 'error'), limits());
    expect(r.phase).toBe('inconclusive');
    expect(r.message).toBe('no measurement succeeded (3 errors)');
  });

  it('terminating early completes the metric with what it has', () => {
    expect(assessMetric('x', seq('successful'), limits({ count: 9 }), true).phase).toBe('successful');
    expect(assessMetric('x', [], limits(), true)).toMatchObject({
      phase: 'inconclusive',
      message: 'stopped before anything was measured',
    });
    expect(assessMetric('x', seq('failed'), limits({ failureLimit: 3 }), true).phase).toBe('successful');
  });

  it('keeps the measurements and the name', () => {
    const ms = seq('successful');
    const r = assessMetric('latency', ms, limits({ count: 1 }));
    expect(r.name).toBe('latency');
    expect(r.measurements).toEqual(ms);
    expect(r.measurements).not.toBe(ms);
  });
});

describe('assessAnalysis (Argo assessRunStatus)', () => {
  const cases: Array<[AnalysisPhase[], AnalysisPhase]> = [
    [[], 'successful'],
    [['successful', 'successful'], 'successful'],
    [['successful', 'running'], 'running'],
    [['inconclusive', 'running'], 'running'],
    [['inconclusive', 'successful'], 'inconclusive'],
    [['running', 'error'], 'error'],
    [['error', 'failed'], 'failed'],
    [['running', 'failed', 'inconclusive'], 'failed'],
  ];
  for (const [phases, want] of cases) {
    it(`${JSON.stringify(phases)} → ${want}`, () => expect(assessAnalysis(phases)).toBe(want));
  }
});

describe('noDataPhase: the explicit no-data policy', () => {
  it('maps each policy to a measurement phase', () => {
    expect(noDataPhase('pass')).toBe('successful');
    expect(noDataPhase('fail')).toBe('failed');
    expect(noDataPhase('inconclusive')).toBe('inconclusive');
  });
});
