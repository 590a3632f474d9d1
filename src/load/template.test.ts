import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.js';
import { compileTemplate, type TemplateVars } from './template.js';

const vars = (row?: Record<string, string>): TemplateVars => ({
  row,
  vu: 7,
  iteration: 3,
  scenario: 'browse',
  zone: 'eu',
  random: createRandom(1),
});

describe('compileTemplate', () => {
  it('keeps constant text constant', () => {
    const t = compileTemplate('/products', [], 'url');
    expect(t.constant).toBe(true);
    expect(t.render(vars())).toBe('/products');
  });

  it('substitutes columns and built-ins', () => {
    const t = compileTemplate(
      '/u/{{user}}/{{vu}}/{{iteration}}?s={{scenario}}&z={{ zone }}',
      ['user'],
      'url',
    );
    expect(t.render(vars({ user: 'ann' }))).toBe('/u/ann/7/3?s=browse&z=eu');
  });

  it('draws randomInt within bounds and makes uuids', () => {
    const t = compileTemplate('{{randomInt(5,9)}}', [], 'url');
    const seen = new Set<string>();
    const v = vars();
    for (let i = 0; i < 200; i++) seen.add(t.render(v));
    expect([...seen].map(Number).sort()).toEqual([5, 6, 7, 8, 9]);
    expect(compileTemplate('{{uuid}}', [], 'x').render(v)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('escapes values inside JSON bodies', () => {
    const t = compileTemplate('{"name":"{{name}}"}', ['name'], 'body', true);
    const out = t.render(vars({ name: 'a"b\\c' }));
    expect(JSON.parse(out)).toEqual({ name: 'a"b\\c' });
  });

  it('rejects unknown variables before the run, naming them and the known ones', () => {
    expect(() => compileTemplate('/x/{{usr}}', ['user'], 'scenario "a" url')).toThrow(
      /unknown template variable \{\{usr\}\} in scenario "a" url/,
    );
    try {
      compileTemplate('{{usr}}', ['user'], 'x');
    } catch (e) {
      expect((e as { hint: string }).hint).toContain('user');
      expect((e as { hint: string }).hint).toContain('randomInt(a,b)');
    }
  });
});
