import { describe, expect, it } from 'vitest';
import type { ShakedownError } from '../../src/core/errors.js';
import { createRandom } from '../../src/core/random.js';
import { buildDetector, detectorRegistry } from '../../src/detect/registry.js';

// Every registered detector runs this suite: scores in [0, 1], deterministic, streaming
// (a prefix scores the same whatever follows), and — except the baselines — a gross
// outlier after a warm-up on a noisy daily cycle scores above almost every normal point.
const registry = detectorRegistry();
const stepMs = 300_000;
const t0 = Date.UTC(2024, 0, 1);

function series(n: number, spikeAt: number, seed = 7): number[] {
  const rnd = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const base = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + rnd.normal();
    return i === spikeAt ? base + 60 : base;
  });
}

function run(type: string, values: number[], likelihood = false): number[] {
  const d = buildDetector({ type, ...(likelihood ? { likelihood: true } : {}) }, registry);
  return values.map((v, i) => d.update(t0 + i * stepMs, v));
}

describe.each(registry.types())('detector %s', (type) => {
  const values = series(1500, 1200);

  it('returns scores in [0, 1] and is deterministic', () => {
    const a = run(type, values);
    const b = run(type, values);
    expect(a).toEqual(b);
    for (const s of a) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('is streaming: the scores of a prefix do not depend on what follows', () => {
    const full = run(type, values);
    const prefix = run(type, values.slice(0, 1000));
    expect(prefix).toEqual(full.slice(0, 1000));
  });

  it('survives a flat series and wild magnitudes without NaN', () => {
    for (const vs of [Array(400).fill(42), values.map((v) => v * 1e9), values.map((v) => -v * 1e-9)]) {
      for (const s of run(type, vs)) expect(Number.isFinite(s)).toBe(true);
    }
  });

  if (type !== 'null' && type !== 'random') {
    it('scores a gross outlier above 99 % of the normal points after warm-up', () => {
      const scores = run(type, values);
      // Contextual and windowed detectors may react a few points late.
      const atSpike = Math.max(...scores.slice(1200, 1206));
      const normal = scores.slice(600, 1195).sort((a, b) => a - b);
      const p99 = normal[Math.floor(normal.length * 0.99)] as number;
      expect(atSpike, `${type}: spike ${atSpike}, p99 of normal ${p99}`).toBeGreaterThan(p99);
    });
  }
});

describe('detector specs', () => {
  const failure = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as ShakedownError;
    }
    throw new Error('expected an error');
  };

  it('rejects unknown types and parameters with the known names (usage errors)', () => {
    const unknownType = failure(() => buildDetector({ type: 'nope' }));
    expect(unknownType.message).toBe('unknown detector "nope"');
    expect(unknownType.hint).toMatch(/known detector types: .*ewma/);
    expect(unknownType.exitCode).toBe(2);
    const unknownParam = failure(() => buildDetector({ type: 'ewma', params: { alfa: 0.1 } }));
    expect(unknownParam.hint).toMatch(/parameters of ewma: alpha, alphaVariance, minSamples/);
    expect(failure(() => buildDetector({ type: 'ewma', params: { alpha: 'x' } })).message).toMatch(
      /finite number/,
    );
  });

  it('wraps any detector in the likelihood post-processor', () => {
    const scores = run('ewma', series(1500, 1200), true);
    expect(scores.slice(0, 200).every((s) => s === scores[0])).toBe(true); // learning: flat
    expect(Math.max(...scores.slice(1200, 1203))).toBe(1); // outside the range seen: spatial check
  });
});
