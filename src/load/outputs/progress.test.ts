import { describe, expect, it } from 'vitest';
import { RunAggregate } from '../aggregate.js';
import type { RunInfo } from '../output.js';
import { ProgressOutput } from './progress.js';

describe('ProgressOutput', () => {
  it('draws one line in place with VUs, rate, percentiles, errors and time left', () => {
    let written = '';
    const p = new ProgressOutput({ write: (s: string) => (written += s), isTTY: true, columns: 200 });
    p.start({ plannedDurationMs: 30_000, plannedMaxVus: 100 } as RunInfo);
    const point = { t: 0, requests: 950, errors: 10, p50Ms: 1.5, p99Ms: 12.25, vus: 100 };
    p.write({ t: 0, index: 9, windows: [], vus: [], point, aggregate: new RunAggregate() });
    expect(written.startsWith('\r\x1b[2K')).toBe(true);
    expect(written).toContain('running 10s/30s');
    expect(written).toContain('VUs 100/100');
    expect(written).toContain('950 req/s');
    expect(written).toContain('p50 1.5ms');
    expect(written).toContain('p99 12.3ms');
    expect(written).toContain('errors 1.05%');
    expect(written).toContain('20s left');
  });
});
