import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.js';
import { holmAdjust } from './multiple-testing.js';
import {
  classifyMetric,
  judgeMetric,
  judgeMetrics,
  measureMetric,
  overallVerdict,
  type Verdict,
} from './verdict.js';

const r = createRandom(2024);
/** n values around `center` with relative noise `sd` (normal). */
const sample = (n: number, center: number, sd = 0.02) =>
  Array.from({ length: n }, () => center * (1 + sd * r.normal()));
const latency = { badDirection: 'increase' as const };
const throughput = { badDirection: 'decrease' as const };

describe('judgeMetric: data checks', () => {
  it('no data on either side is inconclusive and says which', () => {
    expect(judgeMetric([], [1, 2, 3, 4, 5], latency)).toMatchObject({
      verdict: 'inconclusive',
      reason: 'no data in the baseline',
    });
    expect(judgeMetric([1, 2, 3, 4, 5], [], latency).reason).toBe('no data in the candidate');
    expect(judgeMetric([], [], latency).reason).toBe('no data in either run');
  });

  it('too few values is inconclusive, with the counts', () => {
    const j = judgeMetric([1, 2, 3], [4, 5, 6, 7, 8], latency);
    expect(j.verdict).toBe('inconclusive');
    expect(j.reason).toContain('3 and 5');
    expect(judgeMetric([1, 2, 3], [4, 5, 6], latency, { minSamples: 3 }).verdict).not.toBe('inconclusive');
  });

  it('drops NaN and infinite values before judging', () => {
    const j = judgeMetric([Number.NaN, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, Number.POSITIVE_INFINITY], latency);
    expect(j.baseline.n).toBe(5);
    expect(j.candidate.n).toBe(5);
    expect(j.verdict).toBe('pass');
  });

  it('identical constant values pass without a test', () => {
    expect(judgeMetric([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], latency)).toMatchObject({
      verdict: 'pass',
      reason: 'identical constant values',
    });
  });
});

describe('judgeMetric: location', () => {
  it('a 20 % latency increase regresses, with a shift estimate and interval around it', () => {
    const j = judgeMetric(sample(60, 100), sample(60, 120), latency);
    expect(j.verdict).toBe('regressed');
    expect(j.effect?.relative).toBeCloseTo(0.2, 1);
    expect(j.effect?.lower).toBeLessThan(j.effect?.estimate as number);
    expect(j.effect?.upper).toBeGreaterThan(j.effect?.estimate as number);
    expect(j.pValue).toBeLessThan(1e-10);
    expect(j.reason).toMatch(/^worse: shift \+\d+\.\d %/);
  });

  it('a 20 % latency decrease is an improvement', () => {
    expect(judgeMetric(sample(60, 100), sample(60, 80), latency).verdict).toBe('improved');
  });

  it('throughput: a drop regresses and a rise improves', () => {
    expect(judgeMetric(sample(60, 500), sample(60, 400), throughput).verdict).toBe('regressed');
    expect(judgeMetric(sample(60, 500), sample(60, 600), throughput).verdict).toBe('improved');
  });

  it("'either' direction regresses both ways", () => {
    expect(judgeMetric(sample(60, 100), sample(60, 80), { badDirection: 'either' }).verdict).toBe(
      'regressed',
    );
    expect(judgeMetric(sample(60, 100), sample(60, 120), { badDirection: 'either' }).verdict).toBe(
      'regressed',
    );
  });

  it('a significant shift below the tolerance passes, and counts once the tolerance is lower', () => {
    const b = sample(200, 100, 0.005);
    const c = sample(200, 102, 0.005);
    const j = judgeMetric(b, c, latency);
    expect(j.pValue).toBeLessThan(1e-6);
    expect(j.verdict).toBe('pass');
    expect(j.reason).toMatch(/^change below the tolerance/);
    expect(judgeMetric(b, c, latency, { tolerance: 0.01 }).verdict).toBe('regressed');
  });

  it('a large but noisy shift that is not significant passes', () => {
    const j = judgeMetric(sample(8, 100, 0.5), sample(8, 110, 0.5), latency);
    expect(j.verdict).toBe('pass');
    expect(j.reason).toMatch(/^no significant change/);
  });

  it('an absolute tolerance applies on top of the relative one', () => {
    const b = Array.from({ length: 40 }, (_, i) => (i % 10 === 0 ? 0.01 : 0));
    const c = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 0.012 : 0.002));
    const spec = { badDirection: 'increase' as const, effect: 'mean' as const, dispersion: false };
    expect(judgeMetric(b, c, spec, { absoluteTolerance: 0.001 }).verdict).toBe('regressed');
    expect(judgeMetric(b, c, spec, { absoluteTolerance: 0.05 }).verdict).toBe('pass');
  });

  it('the mean effect sees sparse errors a median shift would miss', () => {
    const b = Array.from({ length: 60 }, () => 0);
    const c = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 0.05 : 0));
    const median = judgeMetric(b, c, { badDirection: 'increase', dispersion: false });
    const meanEffect = judgeMetric(b, c, { badDirection: 'increase', effect: 'mean', dispersion: false });
    expect(median.effect?.estimate).toBeCloseTo(0, 9);
    expect(meanEffect.effect?.estimate).toBeCloseTo(0.05 / 3, 6);
    expect(meanEffect.effect?.relative).toBe(Number.POSITIVE_INFINITY);
    expect(meanEffect.verdict).toBe('regressed');
  });
});

describe('judgeMetric: dispersion', () => {
  it('flags a pure growth of spread that Kayenta would pass', () => {
    const b = sample(60, 100, 0.02);
    const c = sample(60, 100, 0.08);
    const j = judgeMetric(b, c, latency);
    expect(j.dispersionFlagged).toBe(true);
    expect(j.verdict).toBe('regressed');
    expect(j.reason).toMatch(/^spread grew ×\d/);
    expect(judgeMetric(b, c, latency, { dispersionRatio: 0 }).verdict).toBe('pass');
    expect(judgeMetric(b, c, { ...latency, dispersion: false }).verdict).toBe('pass');
  });

  it('does not flag a shrinking spread or a growth below the ratio', () => {
    expect(judgeMetric(sample(60, 100, 0.08), sample(60, 100, 0.02), latency).dispersionFlagged).toBe(false);
    expect(
      judgeMetric(sample(60, 100, 0.02), sample(60, 100, 0.08), latency, { dispersionRatio: 10 })
        .dispersionFlagged,
    ).toBe(false);
  });
});

describe('classifyMetric and families', () => {
  it('decides on an overriding (adjusted) p-value', () => {
    const ev = measureMetric(sample(30, 100, 0.05), sample(30, 106, 0.05), latency);
    expect(ev.state).toBe('judged');
    const raw = classifyMetric(ev, {}, {});
    const strict = classifyMetric(ev, {}, { pValue: 0.5 });
    expect(strict.verdict).toBe('pass');
    expect(strict.decisionPValue).toBe(0.5);
    expect(strict.reason).toContain('adjusted');
    expect(raw.decisionPValue).toBe(ev.pValue);
  });

  it('Holm adjustment matches the textbook example', () => {
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holmAdjust([Number.NaN, 0.5])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('a family keeps a real regression and adjusts the p-values of all members', () => {
    const members = [
      { baseline: sample(60, 100), candidate: sample(60, 125), spec: latency },
      { baseline: sample(60, 50), candidate: sample(60, 50), spec: latency },
      { baseline: [], candidate: sample(60, 1), spec: latency },
    ];
    const js = judgeMetrics(members);
    expect(js.map((j) => j.verdict)).toEqual(['regressed', 'pass', 'inconclusive']);
    expect(js[1]?.decisionPValue).toBeGreaterThanOrEqual(js[1]?.pValue as number);
  });

  it('equal runs rarely fail as a family: ≤ 2 of 100 families of six noisy metrics', () => {
    let failed = 0;
    for (let k = 0; k < 100; k++) {
      const members = Array.from({ length: 6 }, () => ({
        baseline: sample(60, 100, 0.3),
        candidate: sample(60, 100, 0.3),
        spec: latency,
      }));
      if (overallVerdict(judgeMetrics(members).map((j) => j.verdict)) === 'regressed') failed++;
    }
    expect(failed).toBeLessThanOrEqual(2);
  });
});

describe('overallVerdict', () => {
  it.each<[Verdict[], Verdict]>([
    [['pass', 'regressed', 'improved'], 'regressed'],
    [['pass', 'inconclusive'], 'pass'],
    [['improved', 'pass'], 'improved'],
    [['inconclusive', 'inconclusive'], 'inconclusive'],
    [[], 'inconclusive'],
  ])('%j → %s', (vs, want) => {
    expect(overallVerdict(vs)).toBe(want);
  });
});

describe('judgeMetric: tolerances by direction (a canary judge allowed increase / decrease)', () => {
  it('an increase within its allowance passes; the same decrease beyond its own allowance does not', () => {
    const either = { badDirection: 'either' as const, tolerances: { increase: 0.3, decrease: 0.05 } };
    const up = judgeMetric(sample(60, 100), sample(60, 120), either);
    expect(up.verdict).toBe('pass');
    expect(up.reason).toMatch(/below the tolerance/);
    expect(up.effect?.threshold).toBeCloseTo(30, 0);
    const down = judgeMetric(sample(60, 100), sample(60, 80), either);
    expect(down.verdict).toBe('regressed');
    expect(down.effect?.threshold).toBeCloseTo(5, 0);
  });

  it('without tolerances the common tolerance applies to both directions', () => {
    const j = judgeMetric(sample(60, 100), sample(60, 120), latency, { tolerance: 0.3 });
    expect(j.verdict).toBe('pass');
    expect(j.effect?.threshold).toBeCloseTo(30, 0);
  });
});
