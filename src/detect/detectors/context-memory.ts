/**
 * The context memory of the Contextual Anomaly Detector (CAD OSE, M. Smirnov, as in
 * NAB's `context_ose/context_operator.py`): contexts are pairs of fact sets (left: the
 * previous step's sensor facts and active contexts; right: the current sensor facts),
 * stored as shared left and right semi-contexts. Crossing the current facts with the
 * semi-contexts finds the contexts that are selected (left side fully present), active
 * (both sides fully present) and candidates for new contexts, and the predictions for
 * the next step (the right sides of the contexts with the best hit ratio).
 *
 * Two deliberate differences from the Python: only semi-contexts that share a fact with
 * the input are visited (the others are provably empty, so results are the same), and
 * context 0 is not excluded by Python's `False == 0` quirk.
 */

interface LeftSemi {
  id: number;
  /** The facts of the current crossing that belong to this semi-context. */
  facts: number[];
  size: number;
  crossed: number;
  /** right semi-context id → context id */
  contexts: Map<number, number>;
}

interface RightSemi {
  id: number;
  /** The facts of the current crossing that belong to this semi-context. */
  facts: number[];
  size: number;
  crossed: number;
}

interface Context {
  /** Times selected × right size. */
  selected: number;
  /** Right facts that were present when selected. */
  hits: number;
  /** Times fully active. */
  activations: number;
  rightFacts: number[];
  zeroLevel: boolean;
}

/** A context candidate: left and right fact lists (sorted). */
export type FactPair = readonly [left: readonly number[], right: readonly number[]];

/** An active context: id and activation count. */
export interface ActiveContext {
  id: number;
  activations: number;
}

export class ContextMemory {
  private readonly leftByKey = new Map<string, LeftSemi>();
  private readonly rightByKey = new Map<string, RightSemi>();
  private readonly lefts: LeftSemi[] = [];
  private readonly rights: RightSemi[] = [];
  private readonly leftByFact = new Map<number, LeftSemi[]>();
  private readonly rightByFact = new Map<number, RightSemi[]>();
  private crossedLeft: LeftSemi[] = [];
  private crossedRight: RightSemi[] = [];
  private readonly contexts: Context[] = [];
  private newContextId = -1;

  constructor(private readonly maxLeftSemiContextLength: number) {}

  get size(): number {
    return this.contexts.length;
  }

  /**
   * Stores the given contexts. For a zero-level one returns whether it was new (and
   * marks an existing one zero-level); otherwise returns how many were new.
   */
  addContexts(pairs: readonly FactPair[], zeroLevel: boolean): number {
    let added = 0;
    for (const [leftFacts, rightFacts] of pairs) {
      const lk = leftFacts.join(',');
      let left = this.leftByKey.get(lk);
      if (!left) {
        left = { id: this.lefts.length, facts: [], size: leftFacts.length, crossed: 0, contexts: new Map() };
        this.leftByKey.set(lk, left);
        this.lefts.push(left);
        for (const f of leftFacts) pushTo(this.leftByFact, f, left);
      }
      const rk = rightFacts.join(',');
      let right = this.rightByKey.get(rk);
      if (!right) {
        right = { id: this.rights.length, facts: [], size: rightFacts.length, crossed: 0 };
        this.rightByKey.set(rk, right);
        this.rights.push(right);
        for (const f of rightFacts) pushTo(this.rightByFact, f, right);
      }
      const existing = left.contexts.get(right.id);
      if (existing === undefined) {
        const id = this.contexts.length;
        left.contexts.set(right.id, id);
        this.contexts.push({ selected: 0, hits: 0, activations: 0, rightFacts: [...rightFacts], zeroLevel });
        added++;
        if (zeroLevel) {
          this.newContextId = id;
          return 1;
        }
      } else if (zeroLevel) {
        (this.contexts[existing] as Context).zeroLevel = true;
        return 0;
      }
    }
    return added;
  }

  /**
   * Crosses the current sensor facts with the right semi-contexts and updates the
   * contexts selected by the previous left crossing. Returns the active contexts, the
   * number selected and the candidate new contexts.
   */
  crossRight(
    facts: readonly number[],
    newContextFlag: boolean,
  ): { active: ActiveContext[]; selected: number; candidates: FactPair[] } {
    this.crossedRight = cross(facts, this.crossedRight, this.rightByFact);
    const active: ActiveContext[] = [];
    const candidates: FactPair[] = [];
    let selected = 0;
    for (const left of this.crossedLeft) {
      for (const [rightId, contextId] of left.contexts) {
        if (contextId === this.newContextId) continue;
        const c = this.contexts[contextId] as Context;
        const right = this.rights[rightId] as RightSemi;
        if (left.size === left.crossed) {
          selected++;
          c.selected += right.size;
          if (right.crossed > 0) {
            c.hits += right.crossed;
            if (right.size === right.crossed) {
              c.activations++;
              active.push({ id: contextId, activations: c.activations });
            } else if (c.zeroLevel && newContextFlag && left.crossed <= this.maxLeftSemiContextLength) {
              candidates.push([[...left.facts], [...right.facts]]);
            }
          }
        } else if (
          c.zeroLevel &&
          newContextFlag &&
          right.crossed > 0 &&
          left.crossed <= this.maxLeftSemiContextLength
        ) {
          candidates.push([[...left.facts], [...right.facts]]);
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
    candidates: readonly FactPair[],
  ): { added: number; predictions: Set<number> } {
    const added = candidates.length > 0 ? this.addContexts(candidates, false) : 0;
    this.crossedLeft = cross(facts, this.crossedLeft, this.leftByFact);
    let best = 0;
    let predicting: Context[] = [];
    for (const left of this.crossedLeft) {
      if (left.size !== left.crossed) continue;
      for (const contextId of left.contexts.values()) {
        const c = this.contexts[contextId] as Context;
        const w = c.selected > 0 ? c.hits / c.selected : 0;
        if (w > best) {
          best = w;
          predicting = [c];
        } else if (w === best) predicting.push(c);
      }
    }
    const predictions = new Set<number>();
    for (const c of predicting) for (const f of c.rightFacts) predictions.add(f);
    return { added, predictions };
  }
}

function pushTo<T>(m: Map<number, T[]>, k: number, v: T): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** Resets the previous crossing, records which facts each semi-context shares, returns those touched in id order. */
function cross<S extends { id: number; facts: number[]; crossed: number }>(
  facts: readonly number[],
  previous: S[],
  byFact: Map<number, S[]>,
): S[] {
  for (const s of previous) {
    s.facts = [];
    s.crossed = 0;
  }
  const touched: S[] = [];
  for (const f of facts) {
    for (const s of byFact.get(f) ?? []) {
      if (s.facts.length === 0) touched.push(s);
      s.facts.push(f);
    }
  }
  for (const s of touched) s.crossed = s.facts.length;
  touched.sort((a, b) => a.id - b.id);
  return touched;
}
