import { describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { createRandom } from '../../core/random.js';
import { Registry } from '../../core/registry.js';
import type { AnalysisMetricSpec } from '../model.js';
import { parseCondition } from './condition.js';
import type { ProviderPlugin, Reading } from './providers/provider.js';
import { type AnalysisRunContext, runAnalysis, toMeasurement } from './runner.js';

/** A provider that answers from a script of readings, one per measurement, recording what it saw. */
function scripted(readings: Array<Reading | Error>) {
  const seen: Array<{ startMs: number; endMs: number }> = [];
  const plugin: ProviderPlugin = {
    summary: 'scripted',
    schema: undefined as never,
    create: () => ({
      measure: async (ctx) => {
        seen.push({ startMs: ctx.startMs, endMs: ctx.endMs });
        const r = readings[Math.min(seen.length - 1, readings.length - 1)] as Reading | Error;
        if (r instanceof Error) throw r;
        return r;
      },
    }),
  };
  return { plugin, seen };
}

function metric(name: string, over: Partial<AnalysisMetricSpec> = {}): AnalysisMetricSpec {
  return {
    name,
    provider: { type: name },
    intervalMs: 50,
    count: 3,
    initialDelayMs: 0,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    noData: 'inconclusive',
    ...over,
  };
}

function context(plugins: Record<string, ProviderPlugin>): AnalysisRunContext & { log: string[] } {
  const providers = new Registry<ProviderPlugin>('metric provider');
  for (const [k, v] of Object.entries(plugins)) providers.register(k, v);
  const log: string[] = [];
  return {
    service: 'catalog',
    stableVersion: 'v1',
    canaryVersion: 'v2',
    windows: async () => [],
    clock: systemClock,
    random: createRandom(1),
    baseDir: process.cwd(),
    windowLagMs: 0,
    providers,
    onMeasurement: (name, m, phase) => log.push(`${name}:${m.phase}:${phase}`),
    log,
  };
}

const value = (v: number): Reading => ({ kind: 'value', value: v });

describe('runAnalysis', () => {
  it('takes count measurements on consecutive periods and succeeds', async () => {
    const a = scripted([value(0.999)]);
    const ctx = context({ rate: a.plugin });
    const r = await runAnalysis(
      { name: 't', metrics: [metric('rate', { successCondition: '>= 0.99' })] },
      ctx,
      new AbortController().signal,
    );
    expect(r.phase).toBe('successful');
    expect(r.message).toBe('all 1 metric successful');
    expect(r.metrics[0]?.measurements).toHaveLength(3);
    expect(a.seen).toHaveLength(3);
    for (let i = 1; i < a.seen.length; i++) expect(a.seen[i]?.startMs).toBe(a.seen[i - 1]?.endMs);
    expect((a.seen[0]?.endMs ?? 0) - (a.seen[0]?.startMs ?? 0)).toBe(50);
    expect(ctx.log).toEqual([
      'rate:successful:running',
      'rate:successful:running',
      'rate:successful:successful',
    ]);
  });

  it('a failing metric fails the analysis at once and stops the others', async () => {
    const bad = scripted([value(0.5)]);
    const slow = scripted([value(1)]);
    const ctx = context({ bad: bad.plugin, slow: slow.plugin });
    const t0 = Date.now();
    const r = await runAnalysis(
      {
        name: 't',
        metrics: [
          metric('bad', { successCondition: '>= 0.99' }),
          metric('slow', { intervalMs: 5000, count: 10, successCondition: '>= 0.99' }),
        ],
      },
      ctx,
      new AbortController().signal,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.phase).toBe('failed');
    expect(r.message).toBe('bad: 1 failed measurement (failure limit 0): 0.5 does not meet ">= 0.99"');
    expect(slow.seen).toHaveLength(0);
    expect(r.metrics[1]?.phase).toBe('inconclusive');
  });

  it('provider errors are error measurements; past consecutiveErrorLimit the analysis errors', async () => {
    const p = scripted([new Error('connection refused')]);
    const r = await runAnalysis(
      { name: 't', metrics: [metric('p', { count: 10, consecutiveErrorLimit: 1 })] },
      context({ p: p.plugin }),
      new AbortController().signal,
    );
    expect(r.phase).toBe('error');
    expect(r.metrics[0]?.measurements.map((m) => m.message)).toEqual([
      'p: connection refused',
      'p: connection refused',
    ]);
  });

  it('no data follows the explicit policy', async () => {
    const nothing: Reading = { kind: 'no-data', message: 'no requests' };
    for (const [policy, phase] of [
      ['pass', 'successful'],
      ['fail', 'failed'],
      ['inconclusive', 'inconclusive'],
    ] as const) {
      const p = scripted([nothing]);
      const r = await runAnalysis(
        { name: 't', metrics: [metric('p', { count: 1, noData: policy })] },
        context({ p: p.plugin }),
        new AbortController().signal,
      );
      expect(r.phase, policy).toBe(phase);
      expect(r.metrics[0]?.measurements[0]?.message).toBe(`no data (policy: ${policy}): no requests`);
    }
  });

  it('an abort completes the analysis with what it measured', async () => {
    const p = scripted([value(1)]);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 130);
    const r = await runAnalysis(
      { name: 't', metrics: [metric('p', { count: 100, successCondition: '== 1' })] },
      context({ p: p.plugin }),
      stop.signal,
    );
    expect(r.phase).toBe('successful');
    expect(r.metrics[0]?.measurements.length).toBeGreaterThanOrEqual(1);
    expect(r.metrics[0]?.measurements.length).toBeLessThan(5);
  });

  it('waits initialDelay before the first period', async () => {
    const p = scripted([value(1)]);
    const t0 = Date.now();
    await runAnalysis(
      { name: 't', metrics: [metric('p', { count: 1, initialDelayMs: 200 })] },
      context({ p: p.plugin }),
      new AbortController().signal,
    );
    expect((p.seen[0]?.startMs ?? 0) - t0).toBeGreaterThanOrEqual(195);
  });
});

describe('toMeasurement', () => {
  const period = { startMs: 1, endMs: 2 };
  const noConditions = { spec: { noData: 'inconclusive' as const } };
  it('a decided phase stands unless the metric has conditions on its value', () => {
    const judged: Reading = { kind: 'phase', phase: 'successful', value: 80, message: 'pass: score 80' };
    expect(toMeasurement(judged, noConditions, period)).toMatchObject({ phase: 'successful', value: 80 });
    const strict = { ...noConditions, success: parseCondition('>= 95') };
    expect(toMeasurement(judged, strict, period)).toMatchObject({
      phase: 'failed',
      message: '80 does not meet ">= 95" (pass: score 80)',
    });
  });
  it("the judge's no data goes to the policy", () => {
    const r: Reading = {
      kind: 'phase',
      phase: 'inconclusive',
      value: null,
      message: 'no data',
      noData: true,
    };
    expect(toMeasurement(r, { spec: { noData: 'fail' } }, period).phase).toBe('failed');
  });
  it('keeps the detail and the period', () => {
    const m = toMeasurement({ kind: 'value', value: 3, detail: { n: 1 } }, noConditions, period);
    expect(m).toEqual({
      startMs: 1,
      endMs: 2,
      phase: 'successful',
      value: 3,
      message: '3 (no condition)',
      detail: { n: 1 },
    });
  });
});
