import type { Clock } from '../core/clock.js';

/**
 * Think time for thousands of VUs without a timer and a promise per pause: one binary
 * min-heap of wake-up times per scenario and thread, served by a single Node timer armed
 * for the earliest. Hand-written because it is the load generator's memory hot spot: a
 * per-iteration setTimeout + Promise lives through the pause, gets promoted to V8's old
 * space and multiplies peak RSS at 10,000 VUs.
 */
export interface Sleepy {
  onWake(): void;
}

export class Sleeper {
  private readonly times: number[] = [];
  private readonly items: Sleepy[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private readonly fire = () => this.run();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.items.length;
  }

  /** Calls `item.onWake()` after `ms` (never synchronously). */
  schedule(item: Sleepy, ms: number): void {
    const at = this.clock.monotonicMs() + ms;
    this.push(at, item);
    if (at < this.armedFor - 0.5) this.arm(at);
  }

  /** Wakes every sleeper now (the scenario is stopping). */
  wakeAll(): void {
    const woken = this.items.splice(0);
    this.times.length = 0;
    this.disarm();
    for (const w of woken) w.onWake();
  }

  private arm(at: number): void {
    this.disarm();
    this.armedFor = at;
    this.timer = setTimeout(this.fire, Math.max(0, at - this.clock.monotonicMs()));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private run(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.monotonicMs() + 0.5;
    const due: Sleepy[] = [];
    while (this.items.length > 0 && (this.times[0] as number) <= now) due.push(this.pop());
    if (this.items.length > 0) this.arm(this.times[0] as number);
    for (const d of due) d.onWake();
  }

  private push(at: number, item: Sleepy): void {
    const t = this.times;
    const it = this.items;
    let i = t.length;
    t.push(at);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((t[p] as number) <= at) break;
      t[i] = t[p] as number;
      it[i] = it[p] as Sleepy;
      i = p;
    }
    t[i] = at;
    it[i] = item;
  }

  private pop(): Sleepy {
    const t = this.times;
    const it = this.items;
    const top = it[0] as Sleepy;
    const lastT = t.pop() as number;
    const lastI = it.pop() as Sleepy;
    const n = t.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (t[r] as number) < (t[l] as number) ? r : l;
        if ((t[c] as number) >= lastT) break;
        t[i] = t[c] as number;
        it[i] = it[c] as Sleepy;
        i = c;
      }
      t[i] = lastT;
      it[i] = lastI;
    }
    return top;
  }
}
