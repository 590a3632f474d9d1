import { clampScore, type Detector, type DetectorPlugin } from '../detector.js';
import { ContextMemory } from './context-memory.js';

/**
 * A contextual anomaly detector in the spirit of CAD OSE (Smirnov; NAB's `contextOSE`,
 * 69.9 on NAB). Each value is quantised to `bits` bits and each bit becomes a sensor
 * fact; a {@link ContextMemory} learns which facts follow which (facts plus the active
 * contexts of the previous step), predicts the next facts, and the anomaly score is high
 * when a value that was not predicted also selects few known contexts and creates many
 * new ones. After a score of `baseThreshold` or more, scores are held at 0 for
 * `restPeriod` steps (one alarm per event).
 *
 * CAD OSE quantises with the file's minimum and maximum. Here the quantisation range is
 * learnt online: the range of the first `rangeLearning` values, widened by
 * `rangeMargin` of itself on both sides; values outside it map to the nearest extra
 * level (a fact no normal value has), and the range is re-fitted to everything seen so
 * far only when more than `rangeRefit` of the recent values fell outside it.
 */
export interface CadParams extends Record<string, number> {
  bits: number;
  baseThreshold: number;
  restPeriod: number;
  maxLeftSemiContextLength: number;
  maxActiveNeurons: number;
  rangeLearning: number;
  rangeMargin: number;
  rangeRefit: number;
}

const NEURON = 2 ** 31;

export class Cad implements Detector {
  private readonly memory: ContextMemory;
  private leftFacts: number[] = [];
  private predicted = new Set<number>();
  private readonly recent: number[] = [1];
  private n = 0;
  private seenMin = Number.POSITIVE_INFINITY;
  private seenMax = Number.NEGATIVE_INFINITY;
  private lo = 0;
  private hi = 0;
  private outsideRecent = 0;
  private readonly outsideFlags: number[] = [];
  private readonly maxBin: number;

  constructor(private readonly p: CadParams) {
    this.memory = new ContextMemory(p.maxLeftSemiContextLength);
    this.maxBin = 2 ** p.bits - 1;
  }

  update(_t: number, value: number): number {
    this.n++;
    if (value < this.seenMin) this.seenMin = value;
    if (value > this.seenMax) this.seenMax = value;
    const level = this.quantise(value);
    const facts: number[] = [];
    if (level < 0) facts.push(65536 - 1);
    else if (level > this.maxBin) facts.push(65536 + 2 * this.p.bits);
    else for (let b = 0; b < this.p.bits; b++) facts.push(65536 + b * 2 + ((level >> b) & 1));
    facts.sort((a, b) => a - b);

    let missed = 0;
    for (const f of facts)
      if (!this.predicted.has(f)) missed += 2 ** Math.max(0, Math.floor((f - 65536) / 2));
    const { predictions, selectedActive, addedShare } = this.step(facts);
    this.predicted = predictions;
    const current = missed > 0 ? (1 - selectedActive + addedShare) / 2 : 0;

    const rest = Math.max(1, Math.floor(this.p.restPeriod));
    let recentMax = 0;
    for (let i = Math.max(0, this.recent.length - rest); i < this.recent.length; i++) {
      if ((this.recent[i] as number) > recentMax) recentMax = this.recent[i] as number;
    }
    const out = recentMax < this.p.baseThreshold ? current : 0;
    this.recent.push(current);
    if (this.recent.length > rest) this.recent.shift();
    return clampScore(out);
  }

  /** The quantisation level of `value` (may be −1 or maxBin+1 outside the learnt range). */
  private quantise(value: number): number {
    const p = this.p;
    if (this.n <= p.rangeLearning || !(this.hi > this.lo)) {
      const margin = (this.seenMax - this.seenMin) * p.rangeMargin;
      this.lo = this.seenMin - margin;
      this.hi = this.seenMax + margin;
    }
    const outside = value < this.lo || value > this.hi ? 1 : 0;
    this.outsideFlags.push(outside);
    this.outsideRecent += outside;
    if (this.outsideFlags.length > 100) this.outsideRecent -= this.outsideFlags.shift() as number;
    if (this.outsideFlags.length >= 20 && this.outsideRecent / this.outsideFlags.length > p.rangeRefit) {
      const margin = (this.seenMax - this.seenMin) * p.rangeMargin;
      this.lo = this.seenMin - margin;
      this.hi = this.seenMax + margin;
      this.outsideFlags.length = 0;
      this.outsideRecent = 0;
    }
    if (!(this.hi > this.lo)) return 0;
    if (value < this.lo) return -1;
    if (value > this.hi) return this.maxBin + 1;
    return Math.min(this.maxBin, Math.floor(((value - this.lo) / (this.hi - this.lo)) * this.maxBin));
  }

  private step(sensorFacts: number[]): {
    predictions: Set<number>;
    selectedActive: number;
    addedShare: number;
  } {
    const uniqueCandidates = new Set<number>();
    let newContext = false;
    if (this.leftFacts.length > 0 && sensorFacts.length > 0) {
      const zero = this.memory.addZeroLevel(this.leftFacts, sensorFacts);
      uniqueCandidates.add(zero.key);
      newContext = zero.isNew;
    }
    const { active, selected, candidates } = this.memory.crossRight(sensorFacts, newContext);
    for (const k of candidates) uniqueCandidates.add(k);
    const selectedActive = selected > 0 ? active.length / selected : 0;
    active.sort((a, b) => a.activations - b.activations || b.id - a.id);
    const neurons = active.slice(-this.p.maxActiveNeurons).map((a) => NEURON + a.id);
    this.leftFacts = [...new Set([...sensorFacts, ...neurons])].sort((a, b) => a - b);
    const { added, predictions } = this.memory.crossLeft(this.leftFacts, candidates);
    const totalAdded = added + (newContext ? 1 : 0);
    const addedShare = newContext && uniqueCandidates.size > 0 ? totalAdded / uniqueCandidates.size : 0;
    return { predictions, selectedActive, addedShare };
  }
}

export const cadPlugin: DetectorPlugin<CadParams> = {
  summary: 'contextual anomaly detector in the spirit of CAD OSE, with an online value range',
  defaults: {
    bits: 3,
    baseThreshold: 0.75,
    restPeriod: 30,
    maxLeftSemiContextLength: 7,
    maxActiveNeurons: 15,
    rangeLearning: 150,
    rangeMargin: 0.1,
    rangeRefit: 0.2,
  },
  create: (p) => new Cad(p),
};
