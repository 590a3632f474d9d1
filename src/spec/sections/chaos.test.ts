import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../load-spec.js';

// The README's `chaos:` example is the reference of the section: it must stay valid.
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('chaos: section', () => {
  it('accepts the README example', () => {
    const start = readme.indexOf('### `chaos:`');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    expect(block).toBeDefined();
    const { spec } = parseSpecText(`version: 1\n${block}`, 'README.md');
    expect(Object.keys(spec.chaos?.experiments ?? {})).toEqual(['catalog-kill', 'orders-db-failover']);
    expect(spec.chaos?.schedules.gameday?.times).toBe(3);
  });

  it('accepts the example shop', () => {
    const text = readFileSync(new URL('../../../examples/shop/shakedown.yaml', import.meta.url), 'utf8');
    const { spec } = parseSpecText(text, 'shakedown.yaml');
    expect(Object.keys(spec.chaos?.experiments ?? {})).toEqual([
      'catalog-kill',
      'catalog-latency',
      'cart-partition',
      'orders-db-failover',
    ]);
  });
});
