import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RuleEngine } from '../rules/engine.js';
import { ruleFileSchema } from '../rules/schema.js';
import { MemorySeriesStore } from '../tsdb.js';
import { formatPromDuration } from './expand.js';
import { sloRuleFile } from './export.js';
import { type SloSpec, sloSchema } from './schema.js';

const availability = sloSchema.parse({
  name: 'checkout-availability',
  service: 'checkout',
  objective: '99.9%',
  sli: {
    events: {
      errorQuery: 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total{service="checkout"}[{{.window}}]))',
    },
  },
  labels: { team: 'shop' },
});
const latency = sloSchema.parse({
  name: 'checkout-latency',
  service: 'checkout',
  objective: 0.99,
  sli: {
    latency: {
      metric: 'http_request_duration_seconds',
      selector: '{service="checkout"}',
      threshold: '300ms',
    },
  },
  windowScale: 1 / 720,
});

describe('SLO rules', () => {
  it('promtool check rules accepts the exported rules (real promtool)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-slo-'));
    const file = join(dir, 'slo.yml');
    writeFileSync(file, sloRuleFile([availability, latency]));
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    if (r.error)
      throw new Error(
        `promtool not found (Debian package prometheus, see .ci/apt-packages): ${r.error.message}`,
      );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: 24 rules found/);
  });

  it('scales the windows and names recordings by the nominal window', () => {
    const text = sloRuleFile([latency]);
    expect(text).toContain('record: slo:sli_error:ratio_rate1h');
    expect(text).toContain('slo_window: 5s'); // 1h / 720
    expect(text).toContain('[417ms]'); // 5m / 720
    expect(text).toContain('le="0.3"');
    expect(formatPromDuration(5_400_000)).toBe('1h30m');
  });

  it('pages within 10 s of a 10 % error burst, and resolves after it (evaluated by the watch engine)', () => {
    // 1/60 scale: 5m → 5s, 1h → 1m, 6h → 6m; samples every second.
    const slo: SloSpec = { ...availability, windowScale: 1 / 60 };
    const groups = ruleFileSchema.parse(parse(sloRuleFile([slo]))).groups;
    const store = new MemorySeriesStore();
    const engine = new RuleEngine(groups, store);
    let ok = 0;
    let bad = 0;
    const events: Array<{ s: number; type: string; severity: string | undefined }> = [];
    for (let s = 0; s < 200; s++) {
      const t = 1_700_000_000_000 + s * 1000;
      const burst = s >= 100 && s < 130;
      ok += burst ? 90 : 100;
      bad += burst ? 10 : 0;
      store.append({ __name__: 'http_requests_total', service: 'checkout', code: '200' }, t, ok);
      store.append({ __name__: 'http_requests_total', service: 'checkout', code: '500' }, t, bad);
      for (const g of groups) {
        const r = engine.evaluateGroup(g, t);
        expect(r.errors).toEqual([]);
        for (const c of r.changes) events.push({ s, type: c.type, severity: c.alert.labels.severity });
      }
    }
    const page = events.filter((e) => e.severity === 'page');
    expect(page[0]?.type).toBe('firing');
    expect(page[0]?.s).toBeGreaterThanOrEqual(100);
    // The 1h (here 1 min) window must reach 14.4 × 0.1 %: at 10 % errors that takes
    // 1.44/10 of it, 8.6 s; rate() extrapolation makes it a little sooner.
    expect(page[0]?.s).toBeLessThanOrEqual(110);
    expect(page.find((e) => e.type === 'resolved')?.s).toBeGreaterThan(130);
    expect(events.some((e) => e.severity === 'ticket' && e.type === 'firing')).toBe(true);
    expect(events.filter((e) => e.s < 100)).toEqual([]);
  });
});
