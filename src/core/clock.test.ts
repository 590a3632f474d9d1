import { describe, expect, it } from 'vitest';
import { ManualClock, sleepMs } from './clock.js';

describe('ManualClock', () => {
  it('wakes sleepers only when time reaches them', async () => {
    const c = new ManualClock(1000);
    const woke: number[] = [];
    void c.sleep(100).then(() => woke.push(100));
    void c.sleep(50).then(() => woke.push(50));
    c.advance(60);
    await Promise.resolve();
    expect(woke).toEqual([50]);
    c.advance(40);
    await Promise.resolve();
    expect(woke).toEqual([50, 100]);
    expect(c.now()).toBe(1100);
    expect(c.monotonicMs()).toBe(100);
  });
});

describe('sleepMs', () => {
  it('resolves early when aborted', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const p = sleepMs(10_000, ac.signal);
    setTimeout(() => ac.abort(), 20);
    await p;
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
