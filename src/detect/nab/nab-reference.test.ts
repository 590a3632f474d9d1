import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNabCorpus, readCsvColumns } from './corpus.js';
import { nabDataDir } from './data-dir.js';
import { scoreCorpus } from './evaluate.js';
import { sweepFile } from './sweep.js';
import { bestThreshold, scoreAtThreshold, scoresByThreshold } from './threshold.js';

// NAB's published results of its HTM detector on the shared files, scored by NAB itself
// at the thresholds in reference/thresholds.json: our scorer must give the same per-file
// scores (3 decimals) and the same row counts from the same anomaly scores.
const dir = nabDataDir();
const corpus = loadNabCorpus(dir);
const thresholds = JSON.parse(readFileSync(join(dir, 'reference', 'thresholds.json'), 'utf8')) as Record<
  string,
  Record<string, { threshold: number; score: number }>
>;

/** The threshold NAB optimised for its HTM detector under `profile` (on the full corpus). */
function htmThreshold(profile: string): number {
  const t = thresholds.numenta?.[profile]?.threshold;
  if (t === undefined) throw new Error(`reference/thresholds.json has no numenta.${profile}`);
  return t;
}

function htmScores(name: string): Float64Array {
  const [category, file] = name.split('/') as [string, string];
  const cols = readCsvColumns(join(dir, 'reference', 'numenta', category, `numenta_${file}`), [
    'anomaly_score',
  ]);
  return Float64Array.from(cols.anomaly_score as string[], Number);
}

const htm = corpus.files.map((f) => htmScores(f.name));

describe('NAB scorer against NAB’s published per-file scores', () => {
  for (const profile of corpus.profiles) {
    it(`reproduces every file's ${profile.name} score and counts`, () => {
      const ref = readCsvColumns(join(dir, 'reference', 'numenta', `numenta_${profile.name}_scores.csv`), [
        'File',
        'Score',
        'TP',
        'TN',
        'FP',
        'FN',
        'Total_Count',
      ]);
      const threshold = htmThreshold(profile.name);
      const files = ref.File as string[];
      expect(files.length).toBe(corpus.files.length);
      for (let r = 0; r < files.length; r++) {
        const i = corpus.files.findIndex((f) => f.name === files[r]);
        expect(i, files[r]).toBeGreaterThanOrEqual(0);
        const f = corpus.files[i] as (typeof corpus.files)[number];
        const s = scoreAtThreshold(
          sweepFile(f.name, f.timestampsMs, htm[i] as Float64Array, f.windows),
          profile,
          threshold,
        );
        const want = Number((ref.Score as string[])[r]);
        expect(Math.abs(s.score - want), `${f.name}: got ${s.score}, NAB ${want}`).toBeLessThan(5e-4);
        expect([s.tp, s.tn, s.fp, s.fn, s.total], f.name).toEqual(
          ['TP', 'TN', 'FP', 'FN', 'Total_Count'].map((c) => Number((ref[c] as string[])[r])),
        );
      }
    });
  }

  it('the corpus-optimised threshold scores at least as well as the full-corpus one, and normalises', () => {
    const results = scoreCorpus(corpus.files, htm, corpus.profiles);
    for (const res of results) {
      const fixed = htmThreshold(res.profile);
      const p = corpus.profiles.find((q) => q.name === res.profile) as (typeof corpus.profiles)[number];
      const atFixed = corpus.files.reduce(
        (a, f, i) =>
          a +
          scoreAtThreshold(sweepFile(f.name, f.timestampsMs, htm[i] as Float64Array, f.windows), p, fixed)
            .score,
        0,
      );
      expect(res.raw).toBeGreaterThanOrEqual(atFixed - 1e-9);
      expect(res.rawNull).toBe(-50 * p.fnWeight);
      expect(res.rawPerfect).toBe(50 * p.tpWeight);
      expect(res.score).toBeCloseTo((100 * (res.raw - res.rawNull)) / (res.rawPerfect - res.rawNull), 9);
    }
  });
});

describe('NAB sweep semantics (NAB’s own scorer tests)', () => {
  const t0 = Date.UTC(2015, 0, 1);
  const ts = (n: number) => Float64Array.from({ length: n }, (_, i) => t0 + i * 300_000);
  const cost = { tpWeight: 1, fpWeight: 1, fnWeight: 1 };

  it('a detection on the first row of a window is worth tpWeight; none costs fnWeight', () => {
    const t = ts(10);
    const w = [[t[4] as number, t[5] as number] as const];
    const a = new Float64Array(10);
    a[4] = 1;
    const s = sweepFile('x', t, a, w, 0);
    expect(scoreAtThreshold(s, cost, 0.5).score).toBeCloseTo(1, 12);
    expect(scoreAtThreshold(s, cost, 1.5).score).toBe(-1);
  });

  it('an earlier detection is worth more; only the earliest in a window counts', () => {
    const t = ts(100);
    const w = [[t[40] as number, t[59] as number] as const];
    const early = new Float64Array(100);
    early[42] = 1;
    const late = new Float64Array(100);
    late[55] = 1;
    const both = Float64Array.from(early);
    both[55] = 1;
    const sc = (a: Float64Array) => scoreAtThreshold(sweepFile('x', t, a, w, 0), cost, 0.5).score;
    expect(sc(early)).toBeGreaterThan(sc(late));
    expect(sc(both)).toBeCloseTo(sc(early), 12);
  });

  it('false positives right after a window cost less than ones far from it', () => {
    const t = ts(200);
    const w = [[t[50] as number, t[59] as number] as const];
    const near = new Float64Array(200);
    near[61] = 1;
    const far = new Float64Array(200);
    far[190] = 1;
    const sc = (a: Float64Array) => scoreAtThreshold(sweepFile('x', t, a, w, 0), cost, 0.5).score;
    expect(sc(near)).toBeGreaterThan(sc(far));
    expect(sc(far)).toBeCloseTo(-1 - 1, 12); // missed window + a full false positive
  });

  it('sweeps every distinct threshold and ignores probationary rows', () => {
    const t = ts(100);
    const w = [[t[60] as number, t[69] as number] as const];
    const a = Float64Array.from({ length: 100 }, (_, i) =>
      i === 5 ? 0.99 : i === 62 ? 0.8 : i === 90 ? 0.7 : 0.1,
    );
    const rows = scoresByThreshold([sweepFile('x', t, a, w)], cost);
    expect(rows.map((r) => r.threshold)).toEqual([1.1, 0.8, 0.7, 0.1]); // 0.99 is in probation
    const best = bestThreshold(rows);
    expect(best.threshold).toBe(0.8);
    expect(best.tp).toBe(1);
    expect(best.fp).toBe(0);
  });
});
