import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../core/clock.js';
import { createRandom } from '../core/random.js';
import { Sleeper } from './sleeper.js';

describe('Sleeper', () => {
  it('wakes many sleepers, none early', async () => {
    const s = new Sleeper(systemClock);
    const r = createRandom(3);
    const woke: Array<{ due: number; at: number }> = [];
    await new Promise<void>((done) => {
      let left = 2000;
      for (let i = 0; i < 2000; i++) {
        const ms = r.next() * 200;
        const due = systemClock.monotonicMs() + ms;
        s.schedule(
          {
            onWake: () => {
              woke.push({ due, at: systemClock.monotonicMs() });
              if (--left === 0) done();
            },
          },
          ms,
        );
      }
    });
    expect(woke).toHaveLength(2000);
    for (const w of woke) expect(w.at).toBeGreaterThanOrEqual(w.due - 0.51);
    expect(s.size).toBe(0);
  });

  it('wakes in time order', () => {
    const clock = new ManualClock(0);
    const s = new Sleeper(clock);
    const out: number[] = [];
    const delays = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const d of delays) s.schedule({ onWake: () => out.push(d) }, d);
    clock.advance(2000);
    (s as unknown as { run(): void }).run();
    expect(out).toEqual([...delays].sort((a, b) => a - b));
  });

  it('wakes everyone at once on wakeAll', () => {
    const s = new Sleeper(systemClock);
    let n = 0;
    for (let i = 0; i < 10; i++) s.schedule({ onWake: () => n++ }, 60_000);
    s.wakeAll();
    expect(n).toBe(10);
    expect(s.size).toBe(0);
  });
});
