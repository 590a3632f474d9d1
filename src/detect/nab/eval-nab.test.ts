import { describe, expect, it } from 'vitest';
import { evaluateNab, headlineScores, loadCorpus } from './eval-nab.js';

// The acceptance bar of issue 6 on the shared NAB subset: the best detector scores at
// least 70 (standard profile), with one parameter set for every file; null scores 0 and
// random stays near NAB's published 11.
const corpus = loadCorpus();

describe('eval nab', () => {
  it('the ensemble scores ≥ 70 standard on the shared subset', () => {
    const h = headlineScores(evaluateNab(corpus, { type: 'ensemble' }));
    expect(h.standard).toBeGreaterThanOrEqual(70);
    expect(h.lowFp).toBeGreaterThan(60);
    expect(h.lowFn).toBeGreaterThan(70);
  });

  it('null scores exactly 0 and random stays far below', () => {
    expect(headlineScores(evaluateNab(corpus, { type: 'null' }))).toEqual({
      standard: 0,
      lowFp: 0,
      lowFn: 0,
    });
    expect(headlineScores(evaluateNab(corpus, { type: 'random' })).standard).toBeLessThan(25);
  });

  it('reports progress per file and the corpus size', () => {
    const seen: string[] = [];
    const e = evaluateNab(corpus, { type: 'range' }, (name) => seen.push(name));
    expect(seen).toEqual(corpus.files.map((f) => f.name));
    expect(e.files).toBe(35);
    expect(e.windows).toBe(50);
    expect(e.profiles.map((p) => p.profile)).toEqual([
      'standard',
      'reward_low_FP_rate',
      'reward_low_FN_rate',
    ]);
  });
});
