import { describe, expect, it } from 'vitest';
import { expandTemplates, replicaEnv } from './env-template.js';

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

describe('replicaEnv', () => {
  const who = { service: 'catalog', version: 'v2', replica: 'catalog-v2-0', host: '127.0.0.1', port: 4100 };
  const shared = (n: string) => (n === 'urls.cart' ? 'http://127.0.0.1:1' : undefined);

  it('expands the env over the base and sets what the fleet tells every replica, last', () => {
    const env = replicaEnv(
      who,
      { SELF: 'http://{{host}}:{{port}}/{{replica}}', CART: '{{urls.cart}}', PORT: '1' },
      { PATH: '/bin', X: 'y' },
      true,
      shared,
    );
    expect(env).toEqual({
      PATH: '/bin',
      X: 'y',
      SELF: 'http://127.0.0.1:4100/catalog-v2-0',
      CART: 'http://127.0.0.1:1',
      PORT: '4100',
      HOST: '127.0.0.1',
      SHAKEDOWN_SERVICE: 'catalog',
      SHAKEDOWN_VERSION: 'v2',
      SHAKEDOWN_REPLICA: 'catalog-v2-0',
      SHAKEDOWN_EXIT_WITH_PARENT: '1',
    });
  });

  it('keeps only PATH and HOME of the base when the service does not inherit', () => {
    const env = replicaEnv(who, {}, { PATH: '/bin', HOME: '/root', SECRET: 's' }, false, shared);
    expect(env.SECRET).toBeUndefined();
    expect(env).toMatchObject({ PATH: '/bin', HOME: '/root', PORT: '4100' });
  });
});
