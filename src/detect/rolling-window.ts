/**
 * A fixed-capacity window of the latest values with O(1) mean and variance. Sums are
 * recomputed from the buffer every `capacity` pushes so rounding does not accumulate.
 */
export class RollingWindow {
  private readonly buf: Float64Array;
  private start = 0;
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceExact = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`window capacity must be ≥ 1, got ${capacity}`);
    this.buf = new Float64Array(Math.floor(capacity));
  }

  get size(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n === this.buf.length;
  }

  /** Adds `v`, evicting the oldest value when full. */
  push(v: number): void {
    const cap = this.buf.length;
    if (this.n === cap) {
      const old = this.buf[this.start] as number;
      this.sum -= old;
      this.sumSq -= old * old;
      this.buf[this.start] = v;
      this.start = (this.start + 1) % cap;
    } else {
      this.buf[(this.start + this.n) % cap] = v;
      this.n++;
    }
    this.sum += v;
    this.sumSq += v * v;
    if (++this.sinceExact >= cap) this.recompute();
  }

  /** The `i`-th oldest value (0 = oldest). */
  at(i: number): number {
    return this.buf[(this.start + i) % this.buf.length] as number;
  }

  /** The latest value. */
  last(): number {
    return this.at(this.n - 1);
  }

  mean(): number {
    return this.n === 0 ? Number.NaN : this.sum / this.n;
  }

  /** Population variance. */
  variance(): number {
    if (this.n === 0) return Number.NaN;
    const m = this.sum / this.n;
    return Math.max(0, this.sumSq / this.n - m * m);
  }

  /** The values, oldest first. */
  values(): Float64Array {
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.at(i);
    return out;
  }

  private recompute(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.n; i++) {
      const v = this.at(i);
      s += v;
      q += v * v;
    }
    this.sum = s;
    this.sumSq = q;
    this.sinceExact = 0;
  }
}
