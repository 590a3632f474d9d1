import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../load-spec.js';

// The README's `watch:` example is the reference of the section: it must stay valid.
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('watch: section', () => {
  it('accepts the README example', () => {
    const start = readme.indexOf('### `watch:`');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    expect(block).toBeDefined();
    const { spec } = parseSpecText(`version: 1\n${block}`, 'README.md');
    const w = spec.watch;
    expect(w?.sources.map((s) => s.type)).toEqual(['scrape', 'prometheus', 'probe']);
    expect(w?.rules?.groups[0]?.rules.map((r) => r.kind)).toEqual(['record', 'alert', 'anomaly']);
    expect(w?.notifiers.map((n) => n.type)).toEqual(['console', 'webhook', 'alertmanager']);
    expect(w?.actions.map((a) => a.run.type)).toEqual(['command', 'rollback']);
    expect(w?.scaling[0]).toMatchObject({
      service: 'checkout',
      headroom: 0.2,
      leadTime: 600_000,
      season: 86_400_000,
    });
    expect(w?.slos?.[0]?.objective).toBeCloseTo(0.999, 12);
  });

  it('names file:line:col and the expected shape for mistakes', () => {
    const bad = (text: string) => {
      try {
        parseSpecText(`version: 1\nwatch:\n${text}`, 's.yaml');
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad('  sources:\n    - { type: scrape, name: x }\n')).toMatch(
      /s\.yaml:4:\d+: watch\.sources\.0(\.url)?: .*URL/,
    );
    expect(bad('  actions:\n    - run: { type: command, argv: "rm -rf /" }\n')).toMatch(
      /watch\.actions\.0\.run\.argv/,
    );
    expect(
      bad(
        '  rules:\n    groups:\n      - name: g\n        rules:\n          - alert: A\n            expr: "sum(rate(x[5m])"\n',
      ),
    ).toMatch(/s\.yaml:8:\d+: watch\.rules\.groups\.0\.rules\.0\.expr: invalid PromQL/);
    expect(
      bad(
        '  slos:\n    - { name: x, service: y, objective: 100%, sli: { events: { errorQuery: a, totalQuery: b } } }\n',
      ),
    ).toMatch(/objective below 100 %|\{\{\.window\}\} placeholder/);
    expect(bad('  bogus: 1\n')).toMatch(
      /unknown key "bogus"; expected one of: actions, externalLabels, interval/,
    );
  });
});
