import { describe, expect, it } from 'vitest';
import { evaluateCondition, judgeValue, parseCondition } from './condition.js';

describe('parseCondition', () => {
  it('reads comparisons with or without "result"', () => {
    expect(parseCondition('result >= 0.99')).toMatchObject({
      join: 'all',
      comparisons: [{ op: '>=', literal: 0.99 }],
    });
    expect(parseCondition('<= 500').comparisons).toEqual([{ op: '<=', literal: 500 }]);
    expect(parseCondition('result == "ok"').comparisons).toEqual([{ op: '==', literal: 'ok' }]);
    expect(parseCondition("== 'a\\'b'").comparisons).toEqual([{ op: '==', literal: "a'b" }]);
    expect(parseCondition('!= false').comparisons).toEqual([{ op: '!=', literal: false }]);
    expect(parseCondition('>= 99.5%').comparisons).toEqual([{ op: '>=', literal: 0.995 }]);
  });

  it('joins with && or ||', () => {
    expect(parseCondition('result > 0 && result < 10')).toMatchObject({ join: 'all' });
    expect(parseCondition('< 0 || > 10')).toMatchObject({ join: 'any' });
  });

  it('rejects what it does not know, with a code and a hint', () => {
    for (const bad of [
      '',
      'result',
      'result >= ',
      'result >= abc',
      'a > 1 && b < 2 || c',
      'len(result) > 0',
    ]) {
      expect(() => parseCondition(bad), bad).toThrow(/invalid condition/);
    }
    try {
      parseCondition('result ~ 3');
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_ROLLOUT_CONDITION', exitCode: 2 });
      expect((e as { hint: string }).hint).toContain('result >= 0.99');
    }
  });
});

describe('evaluateCondition', () => {
  const c = parseCondition;
  it('compares numbers', () => {
    expect(evaluateCondition(c('>= 0.99'), 0.99)).toBe(true);
    expect(evaluateCondition(c('>= 0.99'), 0.98)).toBe(false);
    expect(evaluateCondition(c('< 5'), 4.9)).toBe(true);
    expect(evaluateCondition(c('> 5'), 5)).toBe(false);
    expect(evaluateCondition(c('<= 5'), 5)).toBe(true);
    expect(evaluateCondition(c('== 5'), 5)).toBe(true);
    expect(evaluateCondition(c('!= 5'), 5)).toBe(false);
  });
  it('ranges and alternatives', () => {
    expect(evaluateCondition(c('> 0 && < 10'), 5)).toBe(true);
    expect(evaluateCondition(c('> 0 && < 10'), 10)).toBe(false);
    expect(evaluateCondition(c('< 0 || > 10'), 11)).toBe(true);
    expect(evaluateCondition(c('< 0 || > 10'), 5)).toBe(false);
  });
  it('strings and booleans compare by equality only; ordering them is false', () => {
    expect(evaluateCondition(c('== "ok"'), 'ok')).toBe(true);
    expect(evaluateCondition(c('== "ok"'), 'OK')).toBe(false);
    expect(evaluateCondition(c('== true'), true)).toBe(true);
    expect(evaluateCondition(c('>= 1'), '2')).toBe(false);
    expect(evaluateCondition(c('== 1'), '1')).toBe(false);
  });
});

describe('judgeValue (Argo success / failure condition semantics)', () => {
  const success = parseCondition('>= 0.99');
  const failure = parseCondition('< 0.95');
  it('with only a success condition, missing it fails', () => {
    expect(judgeValue(0.995, { success }).phase).toBe('successful');
    expect(judgeValue(0.98, { success })).toEqual({
      phase: 'failed',
      message: '0.98 does not meet ">= 0.99"',
    });
  });
  it('with only a failure condition, missing it succeeds', () => {
    expect(judgeValue(0.9, { failure }).phase).toBe('failed');
    expect(judgeValue(0.97, { failure }).phase).toBe('successful');
  });
  it('with both, meeting neither is inconclusive; failure wins when both hold', () => {
    expect(judgeValue(0.97, { success, failure }).phase).toBe('inconclusive');
    expect(judgeValue(0.999, { success, failure }).phase).toBe('successful');
    const both = parseCondition('>= 0');
    expect(judgeValue(0.5, { success: both, failure: parseCondition('< 1') }).phase).toBe('failed');
  });
  it('without conditions a value is successful', () => {
    expect(judgeValue('anything', {})).toEqual({ phase: 'successful', message: '"anything" (no condition)' });
  });
});
