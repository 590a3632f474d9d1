import { describe, expect, it } from 'vitest';
import { expandTemplates } from './env-template.js';

describe('expandTemplates', () => {
  const vars: Record<string, string> = {
    port: '4001',
    'urls.catalog': 'http://127.0.0.1:1,http://127.0.0.1:2',
  };
  const lookup = (n: string) => vars[n];

  it('replaces every template, tolerating spaces inside the braces', () => {
    expect(expandTemplates('http://127.0.0.1:{{port}}/x', lookup)).toBe('http://127.0.0.1:4001/x');
    expect(expandTemplates('{{ urls.catalog }}', lookup)).toBe('http://127.0.0.1:1,http://127.0.0.1:2');
    expect(expandTemplates('{{port}}-{{port}}', lookup)).toBe('4001-4001');
  });

  it('leaves text without templates alone and throws on unknown names', () => {
    expect(expandTemplates('plain {value}', lookup)).toBe('plain {value}');
    expect(() => expandTemplates('{{nope}}', lookup)).toThrow('unknown template {{nope}}');
  });
});
