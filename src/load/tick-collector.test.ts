import { describe, expect, it } from 'vitest';
import { recordUs } from '../core/histogram.js';
import { createWindow, type Window } from '../core/window.js';
import type { VuGauge } from './aggregate.js';
import { TickCollector } from './tick-collector.js';

function win(second: number, n: number, scenario = 's'): Window {
  const w = createWindow(1000 + second * 1000, 1000, { scenario });
  for (let i = 0; i < n; i++) recordUs(w.latencyUs, 1000 + i);
  w.counters.requests = n;
  return w;
}

describe('TickCollector', () => {
  it('releases a second only when every segment finished it, merging exactly', () => {
    const out: Array<{ index: number; requests: number; count: number; vus: VuGauge[] }> = [];
    const c = new TickCollector(2, 1000, 1000, (index, _t, windows, vus) =>
      out.push({
        index,
        requests: windows.reduce((s, w) => s + w.counters.requests, 0),
        count: windows.reduce((s, w) => s + w.latencyUs.totalCount, 0),
        vus,
      }),
    );
    c.add(0, {
      completedSeconds: 1,
      windows: [win(0, 10)],
      vus: [{ scenario: 's', active: 3, allocated: 5 }],
    });
    expect(out).toHaveLength(0);
    c.add(1, {
      completedSeconds: 2,
      windows: [win(0, 7), win(1, 4)],
      vus: [{ scenario: 's', active: 2, allocated: 5 }],
    });
    expect(out).toEqual([
      { index: 0, requests: 17, count: 17, vus: [{ scenario: 's', active: 5, allocated: 10 }] },
    ]);
    c.add(0, { completedSeconds: Number.POSITIVE_INFINITY, windows: [win(1, 1)], vus: [] });
    c.add(1, { completedSeconds: Number.POSITIVE_INFINITY, windows: [], vus: [] });
    c.finish();
    expect(out.map((o) => [o.index, o.requests])).toEqual([
      [0, 17],
      [1, 5],
    ]);
  });

  it('releases empty seconds so the series has no holes', () => {
    const seen: number[] = [];
    const c = new TickCollector(1, 0, 1000, (i) => seen.push(i));
    c.add(0, { completedSeconds: 3, windows: [win(-1, 1), win(1, 1)], vus: [] });
    expect(seen).toEqual([0, 1, 2]);
  });
});
