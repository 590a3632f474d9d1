import { describe, expect, it } from 'vitest';
import { Registry } from './registry.js';

describe('Registry', () => {
  it('returns registered plug-ins and lists types sorted', () => {
    const r = new Registry<number>('executor').register('b', 2).register('a', 1);
    expect(r.get('a')).toBe(1);
    expect(r.types()).toEqual(['a', 'b']);
    expect(r.has('b')).toBe(true);
  });

  it('names the known types when asked for an unknown one', () => {
    const r = new Registry<number>('fault').register('latency', 1).register('abort', 2);
    expect(() => r.get('nope')).toThrow(/unknown fault "nope"/);
    try {
      r.get('nope');
    } catch (e) {
      expect((e as { hint: string }).hint).toBe('known fault types: abort, latency');
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('refuses to register a type twice', () => {
    const r = new Registry<number>('x').register('a', 1);
    expect(() => r.register('a', 2)).toThrow(/already registered/);
  });
});
