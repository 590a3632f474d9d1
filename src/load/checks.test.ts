import { describe, expect, it } from 'vitest';
import { compileCheck, jsonPath, runChecks } from './checks.js';

const subject = {
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1', 'b=2'] },
  body: Buffer.from(JSON.stringify({ items: [{ id: 5, name: 'x' }], total: 1 })),
  serviceTimeMs: 12,
};

describe('checks', () => {
  it('checks status, headers, body, json paths and duration', () => {
    const checks = [
      compileCheck({ name: 'status', status: [200, 201] }, 'r'),
      compileCheck({ name: 'ct', header: 'Content-Type', contains: 'json' }, 'r'),
      compileCheck({ name: 'cookie', header: 'set-cookie', matches: 'b=2' }, 'r'),
      compileCheck({ name: 'body', body: true, contains: '"total":1' }, 'r'),
      compileCheck({ name: 'id', json: 'items.0.id', equals: 5 }, 'r'),
      compileCheck({ name: 'no-error', json: 'error', exists: false }, 'r'),
      compileCheck({ name: 'fast', maxDurationMs: 10 }, 'r'),
      compileCheck({ name: 'header-present', header: 'x-missing' }, 'r'),
    ];
    const pass: number[] = [];
    const fail: number[] = [];
    expect(runChecks(checks, subject, pass, fail)).toEqual([6, 2]);
    expect(fail[6]).toBe(1);
    expect(fail[7]).toBe(1);
    expect(checks.filter((c) => c.needsBody).map((c) => c.name)).toEqual(['body', 'id', 'no-error']);
  });

  it('fails json checks on bodies that are not JSON', () => {
    const c = compileCheck({ name: 'j', json: 'a', exists: true }, 'r');
    expect(runChecks([c], { ...subject, body: Buffer.from('<html>') }, [], [])).toEqual([0, 1]);
  });

  it('rejects checks that test nothing or too much, and bad regexps', () => {
    expect(() => compileCheck({ name: 'x' }, 'r')).toThrow(/tests nothing/);
    expect(() => compileCheck({ name: 'x', header: 'a', body: true }, 'r')).toThrow(/more than one/);
    expect(() => compileCheck({ name: 'x', body: true, matches: '(' }, 'r')).toThrow(
      /invalid regular expression/,
    );
  });

  it('reads dotted JSON paths', () => {
    expect(jsonPath({ a: { b: [1, { c: 2 }] } }, '$.a.b.1.c')).toBe(2);
    expect(jsonPath({ a: 1 }, 'a.b')).toBeUndefined();
  });
});
