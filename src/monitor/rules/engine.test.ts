import { describe, expect, it } from 'vitest';
import { MemorySeriesStore } from '../tsdb.js';
import { RuleEngine } from './engine.js';
import { parseRuleText } from './load-rules.js';

const rules = `
groups:
  - name: api
    interval: 1s
    rules:
      - record: job:errors:ratio
        expr: sum by (job) (rate(errors_total[30s])) / sum by (job) (rate(requests_total[30s]))
      - alert: HighErrorRatio
        expr: job:errors:ratio > 0.1
        for: 2s
        labels: { severity: page, team: "{{ $labels.job }}-oncall" }
        annotations:
          summary: "{{ $labels.job }} errors at {{ $value | humanizePercentage }}"
          value: '{{ printf "%.3f" $value }}'
      - anomaly: LatencyAnomaly
        expr: latency_seconds
        detector: { type: windowed-gaussian, params: { minSamples: 10 } }
        threshold: 0.8
        annotations: { summary: "latency of {{ $labels.job }} is unusual (score {{ $value }})" }
`;

describe('rule engine', () => {
  it('records, then alerts through pending and firing, with templated labels and annotations', () => {
    const [group] = parseRuleText(rules);
    if (!group) throw new Error('no group');
    const store = new MemorySeriesStore();
    const engine = new RuleEngine([group], store, { externalLabels: { cluster: 'local' } });
    const log: string[] = [];
    let errors = 0;
    let reqs = 0;
    let errs = 0;
    for (let s = 0; s < 90; s++) {
      const t = 1_000_000 + s * 1000;
      reqs += 100;
      errs += s >= 30 && s < 45 ? 30 : 1; // 30 % errors from 30 s to 45 s
      store.append({ __name__: 'requests_total', job: 'api' }, t, reqs);
      store.append({ __name__: 'errors_total', job: 'api' }, t, errs);
      store.append({ __name__: 'latency_seconds', job: 'api' }, t, s === 50 ? 2 : 0.1 + 0.001 * (s % 7));
      const r = engine.evaluateGroup(group, t);
      errors += r.errors.length;
      for (const c of r.changes) log.push(`${s}:${c.alert.labels.alertname}:${c.type}`);
      if (s === 44) {
        const [a] = engine.firing();
        expect(a?.labels).toMatchObject({
          alertname: 'HighErrorRatio',
          severity: 'page',
          team: 'api-oncall',
          cluster: 'local',
          job: 'api',
        });
        expect(a?.annotations.summary).toMatch(/^api errors at \d+(\.\d+)?%$/);
        expect(a?.annotations.value).toMatch(/^0\.\d{3}$/);
      }
    }
    expect(errors).toBe(0);
    const high = log.filter((l) => l.includes('HighErrorRatio'));
    expect(high[0]).toMatch(/:pending$/);
    expect(high[1]).toMatch(/:firing$/);
    expect(high[2]).toMatch(/:resolved$/);
    const firedAt = Number(high[1]?.split(':')[0]);
    expect(firedAt - Number(high[0]?.split(':')[0])).toBe(2); // for: 2s
    expect(log).toContain('50:LatencyAnomaly:firing');
    expect(log).toContain('51:LatencyAnomaly:resolved');
    expect(store.select('shakedown_anomaly_score', [], 0, 2e6).length).toBe(1);
  });

  it('reports bad rules at file:line:col', () => {
    expect(() =>
      parseRuleText('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(x[5m]\n'),
    ).toThrow(/rules\.yml:5:15: groups\.0\.rules\.0\.expr: invalid PromQL/);
    expect(() =>
      parseRuleText(
        'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: { s: "{{ $valu }}" }\n',
      ),
    ).toThrow(/unknown variable "\$valu"/);
    expect(() =>
      parseRuleText(
        'groups:\n  - name: g\n    rules:\n      - record: a\n        alert: b\n        expr: up\n',
      ),
    ).toThrow(/exactly one of record:, alert: or anomaly:/);
    expect(() =>
      parseRuleText(
        'groups:\n  - name: g\n    rules:\n      - anomaly: a\n        expr: up\n        detector: nope\n',
      ),
    ).toThrow(/unknown detector "nope"/);
    expect(() => parseRuleText('groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n')).toThrow(
      /duplicate group name "g"/,
    );
  });
});
