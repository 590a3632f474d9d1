import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../test/helpers/runs.js';
import { createRandom } from '../core/random.js';
import { compareRuns } from './compare-runs.js';
import { comparisonFormats } from './format-compare.js';

const r = createRandom(9);
const a = syntheticRun(r, 'base<1>', 20, [{ medianMs: 40, key: { scenario: 'a&b', request: 'x' } }]);
const b = syntheticRun(r, 'cand"2"', 20, [{ medianMs: 52, key: { scenario: 'a&b', request: 'x' } }]);
const report = compareRuns(a, b, { random: createRandom(1), bootstrapIterations: 100 });
const doc = { report, baseline: { id: a.id, source: 'run' }, candidate: { id: b.id, source: 'file c.json' } };
const formats = comparisonFormats();

describe('comparison formats', () => {
  it('text: a table per group and a verdict line naming the regressions', () => {
    const t = formats.get('text')(doc);
    expect(t).toContain('baseline   base<1>  (run, 20 s)');
    expect(t).toMatch(/latency_p50_ms\s+\d+\.\d\s+\d+\.\d\s+\+\d+\.\d %/);
    expect(t).toMatch(/^verdict: REGRESSED — latency_p50_ms \(overall\)/m);
    expect(t).toMatch(/whole-run p50 .* \(bootstrap, 100 resamples\)/);
  });

  it('json: parseable, infinite numbers as strings, the verdict on top', () => {
    const j = JSON.parse(formats.get('json')(doc));
    expect(j.verdict).toBe('regressed');
    expect(j.candidate).toEqual({ id: 'cand"2"', source: 'file c.json', seconds: 20 });
    expect(j.metrics).toHaveLength(report.metrics.length);
  });

  it('junit: escaped XML with one case per metric, regressions as failures', () => {
    const x = formats.get('junit')(doc);
    expect(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(x).toContain(`tests="${report.metrics.length}" failures="${report.counts.regressed}"`);
    expect(x).toContain('name="base&lt;1&gt; → cand&quot;2&quot;"');
    expect(x).toContain(
      '<testcase classname="shakedown.compare.overall" name="latency_p50_ms"><failure message="worse: shift',
    );
    expect(x.match(/<testcase /g)).toHaveLength(report.metrics.length);
    expect(x).not.toMatch(/[<]failure[^>]*&(?!amp;|lt;|gt;|quot;|apos;)/);
  });

  it('markdown: a heading with the verdict and a table row per metric', () => {
    const m = formats.get('markdown')(doc);
    expect(m.split('\n')[0]).toBe('### shakedown compare: **REGRESSED**');
    expect(m).toContain('| overall | `latency_p50_ms` |');
    expect(m.match(/^\| overall \|/gm)).toHaveLength(6);
  });

  it('unknown formats list the known ones', () => {
    expect(() => formats.get('html')).toThrow(/unknown format "html"/);
  });
});
