/**
 * The context memory of the Contextual Anomaly Detector (CAD OSE, M. Smirnov, as in
 * NAB's `context_ose/context_operator.py`): contexts are pairs of fact sets (left: the
 * previous step's sensor facts and active contexts; right: the current sensor facts),
 * stored as shared left and right semi-contexts. Crossing the current facts with the
 * semi-contexts finds the contexts that are selected (left side fully present), active
 * (both sides fully present) and candidates for new contexts, and the predictions for
 * the next step (the right sides of the contexts with the best hit ratio).
 *
 * Written for speed, not as a transliteration: counters live in typed arrays, a crossing
 * only counts shared facts (the shared facts themselves are rebuilt for the few
 * candidates that need them), semi-contexts are visited in the order the facts reach
 * them rather than by id, and context 0 is not skipped by Python's `False == 0` quirk.
 */

/** A context candidate: left and right semi-context ids packed in one number. */
export type CandidateKey = number;

const RIGHT_IDS = 4_194_304;

/** An active context: id and activation count. */
export interface ActiveContext {
  id: number;
  activations: number;
}

/** A growable typed column. */
class Column<T extends Float64Array | Int32Array> {
  constructor(
    public a: T,
    private readonly make: (n: number) => T,
  ) {}
  ensure(n: number): void {
    if (n <= this.a.length) return;
    const b = this.make(Math.max(n, this.a.length * 2));
    b.set(this.a);
    this.a = b;
  }
}

const f64 = (n: number) => new Float64Array(n);

function sameFacts(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const i32 = (n: number) => new Int32Array(n);

/** One side's semi-contexts: fact sets, the index by fact and the current crossing. */
class Side {
  readonly byHash = new Map<number, number[]>();
  readonly facts: number[][] = [];
  readonly byFact = new Map<number, number[]>();
  readonly stamp = new Column(i32(1024), i32);
  readonly crossed = new Column(i32(1024), i32);
  touched: number[] = [];
  step = 0;

  /** The id of the semi-context with these facts, created when new. */
  idOf(facts: readonly number[]): number {
    // Hash the fact list (FNV-1a over 32-bit words) rather than build string keys:
    // this is called for every candidate context.
    let h = 0x811c9dc5;
    for (const f of facts) {
      h = Math.imul(h ^ (f & 0xffff), 16777619);
      h = Math.imul(h ^ Math.floor(f / 65536), 16777619);
    }
    const bucket = this.byHash.get(h);
    if (bucket) for (const id of bucket) if (sameFacts(this.facts[id] as number[], facts)) return id;
    const id = this.facts.length;
    if (bucket) bucket.push(id);
    else this.byHash.set(h, [id]);
    this.facts.push([...facts]);
    for (const f of facts) {
      const list = this.byFact.get(f);
      if (list) list.push(id);
      else this.byFact.set(f, [id]);
    }
    this.stamp.ensure(id + 1);
    this.crossed.ensure(id + 1);
    return id;
  }

  /** Counts, for every semi-context, how many of `facts` it has. */
  cross(facts: readonly number[]): void {
    this.step++;
    const stamp = this.stamp.a;
    const crossed = this.crossed.a;
    const touched: number[] = [];
    for (const f of facts) {
      const list = this.byFact.get(f);
      if (!list) continue;
      for (const id of list) {
        if (stamp[id] !== this.step) {
          stamp[id] = this.step;
          crossed[id] = 0;
          touched.push(id);
        }
        crossed[id] = (crossed[id] as number) + 1;
      }
    }
    this.touched = touched;
  }

  /** How many facts of the current crossing semi-context `id` has. */
  crossedOf(id: number): number {
    return this.stamp.a[id] === this.step ? (this.crossed.a[id] as number) : 0;
  }

  /** The facts of the current crossing that semi-context `id` has, in order. */
  sharedFacts(id: number, current: ReadonlySet<number>): number[] {
    return (this.facts[id] as number[]).filter((f) => current.has(f));
  }
}

export class ContextMemory {
  private readonly left = new Side();
  private readonly right = new Side();
  /** Contexts of each left semi-context: right ids and context ids, in creation order. */
  private readonly leftRights: number[][] = [];
  private readonly leftContexts: number[][] = [];
  private readonly contextOf = new Map<number, number>();
  private readonly ctxRight = new Column(i32(1024), i32);
  private readonly selected = new Column(f64(1024), f64);
  private readonly hits = new Column(f64(1024), f64);
  private readonly activations = new Column(f64(1024), f64);
  private readonly zeroLevel = new Column(i32(1024), i32);
  private count = 0;
  private newContextId = -1;
  private leftCurrent = new Set<number>();
  private rightCurrent = new Set<number>();

  constructor(private readonly maxLeftSemiContextLength: number) {}

  get size(): number {
    return this.count;
  }

  /**
   * Stores the zero-level context (previous left facts → current sensor facts). Returns
   * whether it was new (an existing one is marked zero-level) and its candidate key.
   */
  addZeroLevel(
    leftFacts: readonly number[],
    rightFacts: readonly number[],
  ): { isNew: boolean; key: CandidateKey } {
    const key = this.candidateKey(this.left.idOf(leftFacts), this.right.idOf(rightFacts));
    const isNew = this.addContext(key, true);
    if (isNew) this.newContextId = this.count - 1;
    return { isNew, key };
  }

  private candidateKey(l: number, r: number): CandidateKey {
    while (this.leftRights.length <= l) {
      this.leftRights.push([]);
      this.leftContexts.push([]);
    }
    return l * RIGHT_IDS + r;
  }

  /** Adds the context of `key` if new; marks an existing one zero-level when asked. */
  private addContext(key: CandidateKey, zeroLevel: boolean): boolean {
    const existing = this.contextOf.get(key);
    if (existing !== undefined) {
      if (zeroLevel) this.zeroLevel.a[existing] = 1;
      return false;
    }
    const l = Math.floor(key / RIGHT_IDS);
    const r = key - l * RIGHT_IDS;
    const id = this.count++;
    for (const c of [this.ctxRight, this.selected, this.hits, this.activations, this.zeroLevel])
      c.ensure(this.count);
    this.contextOf.set(key, id);
    (this.leftRights[l] as number[]).push(r);
    (this.leftContexts[l] as number[]).push(id);
    this.ctxRight.a[id] = r;
    this.selected.a[id] = 0;
    this.hits.a[id] = 0;
    this.activations.a[id] = 0;
    this.zeroLevel.a[id] = zeroLevel ? 1 : 0;
    return true;
  }

  /**
   * Crosses the current sensor facts with the right semi-contexts and updates the
   * contexts selected by the previous left crossing. Returns the active contexts, the
   * number selected and the candidate new contexts.
   */
  crossRight(
    facts: readonly number[],
    newContextFlag: boolean,
  ): { active: ActiveContext[]; selected: number; candidates: CandidateKey[] } {
    this.right.cross(facts);
    this.rightCurrent = new Set(facts);
    const active: ActiveContext[] = [];
    const candidates: CandidateKey[] = [];
    const rightShared = new Map<number, number>();
    let selected = 0;
    const sel = this.selected.a;
    const hits = this.hits.a;
    const acts = this.activations.a;
    const zero = this.zeroLevel.a;
    for (const l of this.left.touched) {
      const lCrossed = this.left.crossedOf(l);
      const full = lCrossed === (this.left.facts[l] as number[]).length;
      // Partly matched lefts only matter when new contexts may be made.
      if (!full && !newContextFlag) continue;
      const rights = this.leftRights[l] as number[];
      const contexts = this.leftContexts[l] as number[];
      let leftShared = -1;
      for (let k = 0; k < contexts.length; k++) {
        const c = contexts[k] as number;
        if (c === this.newContextId) continue;
        const r = rights[k] as number;
        const rSize = (this.right.facts[r] as number[]).length;
        const rCrossed = this.right.crossedOf(r);
        let candidate = false;
        if (full) {
          selected++;
          sel[c] = (sel[c] as number) + rSize;
          if (rCrossed > 0) {
            hits[c] = (hits[c] as number) + rCrossed;
            if (rSize === rCrossed) {
              acts[c] = (acts[c] as number) + 1;
              active.push({ id: c, activations: acts[c] as number });
            } else candidate = true;
          }
        } else candidate = rCrossed > 0;
        if (candidate && zero[c] === 1 && newContextFlag && lCrossed <= this.maxLeftSemiContextLength) {
          if (leftShared < 0) leftShared = this.left.idOf(this.left.sharedFacts(l, this.leftCurrent));
          let rs = rightShared.get(r);
          if (rs === undefined) {
            rs = this.right.idOf(this.right.sharedFacts(r, this.rightCurrent));
            rightShared.set(r, rs);
          }
          candidates.push(this.candidateKey(leftShared, rs));
        }
      }
    }
    this.newContextId = -1;
    return { active, selected, candidates };
  }

  /**
   * Stores the candidate contexts, crosses the left facts (sensor facts plus active
   * contexts) with the left semi-contexts and returns the predicted facts for the next
   * step with the number of contexts added.
   */
  crossLeft(
    facts: readonly number[],
    candidates: readonly CandidateKey[],
  ): { added: number; predictions: Set<number> } {
    let added = 0;
    for (const k of candidates) if (this.addContext(k, false)) added++;
    this.left.cross(facts);
    this.leftCurrent = new Set(facts);
    let best = 0;
    let predicting: number[] = [];
    const sel = this.selected.a;
    const hits = this.hits.a;
    for (const l of this.left.touched) {
      if (this.left.crossedOf(l) !== (this.left.facts[l] as number[]).length) continue;
      for (const c of this.leftContexts[l] as number[]) {
        const s = sel[c] as number;
        const w = s > 0 ? (hits[c] as number) / s : 0;
        if (w > best) {
          best = w;
          predicting = [c];
        } else if (w === best) predicting.push(c);
      }
    }
    const predictions = new Set<number>();
    for (const c of predicting)
      for (const f of this.right.facts[this.ctxRight.a[c] as number] as number[]) predictions.add(f);
    return { added, predictions };
  }
}
