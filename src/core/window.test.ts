import { describe, expect, it } from 'vitest';
import { recordUs, summarizeMs } from './histogram.js';
import { createWindow, decodeWindow, encodeWindow, keyId, mergeWindowInto } from './window.js';

describe('Window', () => {
  it('merges exactly: merged percentiles equal those of all values recorded in one', () => {
    const a = createWindow(0, 1000, { scenario: 's' });
    const b = createWindow(0, 1000, { scenario: 's' });
    const all = createWindow(0, 1000, { scenario: 's' });
    for (let i = 1; i <= 1000; i++) {
      recordUs(i % 2 ? a.latencyUs : b.latencyUs, i * 100);
      recordUs(all.latencyUs, i * 100);
    }
    a.counters.requests = 500;
    b.counters.requests = 500;
    b.counters.failures.status5xx = 3;
    b.counters.errors = 3;
    mergeWindowInto(a, b);
    expect(summarizeMs(a.latencyUs)).toEqual(summarizeMs(all.latencyUs));
    expect(a.counters.requests).toBe(1000);
    expect(a.counters.errors).toBe(3);
    expect(a.counters.failures.status5xx).toBe(3);
  });

  it('round-trips through the compressed base64 encoding', () => {
    const w = createWindow(1_700_000_000_000, 1000, { scenario: 'browse', zone: 'eu' });
    for (let i = 0; i < 5000; i++) recordUs(w.latencyUs, 1000 + ((i * 7919) % 250_000));
    recordUs(w.serviceTimeUs, 1234);
    w.counters.requests = 5000;
    const json = JSON.parse(JSON.stringify(encodeWindow(w)));
    const back = decodeWindow(json);
    const got = summarizeMs(back.latencyUs);
    const want = summarizeMs(w.latencyUs);
    // Percentiles are bucket values and survive exactly; the max is kept at bucket
    // precision (3 significant digits) by the encoding.
    expect({ ...got, max: 0, mean: 0 }).toEqual({ ...want, max: 0, mean: 0 });
    expect(Math.abs(got.max - want.max) / want.max).toBeLessThan(0.001);
    expect(Math.abs(got.mean - want.mean) / want.mean).toBeLessThan(0.001);
    expect(back.serviceTimeUs.totalCount).toBe(1);
    expect(back.key).toEqual({ scenario: 'browse', zone: 'eu' });
    expect(back.counters.requests).toBe(5000);
  });

  it('summarises in milliseconds with HdrHistogram precision', () => {
    const w = createWindow(0, 1000, {});
    for (let i = 1; i <= 100; i++) recordUs(w.latencyUs, i * 1000);
    const s = summarizeMs(w.latencyUs);
    expect(s.count).toBe(100);
    expect(s.min).toBe(1);
    expect(s.max).toBeCloseTo(100, 0);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p99).toBeCloseTo(99, 0);
    expect(s.mean).toBeCloseTo(50.5, 0);
  });

  it('gives distinct ids to distinct keys', () => {
    expect(keyId({ scenario: 'a', request: 'b' })).not.toBe(keyId({ scenario: 'ab' }));
    expect(keyId({ zone: 'x' })).toBe(keyId({ zone: 'x' }));
  });
});
