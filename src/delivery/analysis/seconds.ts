import type { Random } from '../../core/random.js';
import type { Window, WindowKey } from '../../core/window.js';
import type { SecondOfGroup } from '../../regression/metrics.js';
import { type Buckets, bucketsOf, emptyBuckets, mergeBuckets } from '../../stats/buckets.js';

/**
 * From the mesh's per-second windows to what the canary judge compares: one value per
 * second of the analysed period for the canary version and one for the baseline version,
 * over the same seconds (Kayenta's "same period" rule, so a slow minute for everybody is not
 * blamed on the canary).
 *
 * **Equal samples.** A canary at 10 % gets a ninth of the stable's requests, and a
 * per-second percentile of 30 requests wanders far more than one of 270: judged as they
 * are, the canary's spread would look grown (the dispersion check fails an identical
 * version) and its per-second p99 would sit lower (it is nearer the maximum of fewer
 * values). So, second by second, the side with more requests is thinned to the other's
 * count by sampling its requests without replacement (latency buckets and error counts
 * alike, seeded), and both sides' values then come from samples of the same size. This is
 * what a baseline version started beside the canary with the same replicas and weight
 * gives by construction (Kayenta's recommendation); thinning gives it with the stable too.
 */
export interface VersionSeconds {
  baseline: SecondOfGroup[];
  canary: SecondOfGroup[];
  /** Requests each side had before thinning. */
  requests: { baseline: number; canary: number };
  seconds: number;
}

export interface SecondsOptions {
  service: string;
  baselineVersion: string;
  canaryVersion: string;
  /** Only windows of these mesh routes (default: every route to the service). */
  routes?: readonly string[];
  /** The analysed period, ms since the epoch: windows starting in [startMs, endMs). */
  startMs: number;
  endMs: number;
  /** Thin the larger side each second to the smaller's request count (default true). */
  equalize?: boolean;
  random: Random;
}

interface Side {
  latency: Buckets[];
  requests: number;
  errors: number;
}

function matches(k: WindowKey, o: SecondsOptions): boolean {
  return k.service === o.service && (o.routes === undefined || o.routes.includes(k.route ?? ''));
}

/** The windows of both versions, second by second, as the judge's inputs. */
export function versionSeconds(windows: readonly Window[], o: SecondsOptions): VersionSeconds {
  const bySecond = new Map<number, { b: Side; c: Side; durationMs: number }>();
  let baseReq = 0;
  let canReq = 0;
  for (const w of windows) {
    if (w.startMs < o.startMs || w.startMs >= o.endMs || !matches(w.key, o)) continue;
    const which =
      w.key.version === o.baselineVersion ? 'b' : w.key.version === o.canaryVersion ? 'c' : undefined;
    if (!which) continue;
    let s = bySecond.get(w.startMs);
    if (!s) {
      s = { b: emptySide(), c: emptySide(), durationMs: w.durationMs };
      bySecond.set(w.startMs, s);
    }
    const side = s[which];
    if (w.counters.requests > 0) side.latency.push(bucketsOf(w.latencyUs));
    side.requests += w.counters.requests;
    side.errors += w.counters.errors;
    if (which === 'b') baseReq += w.counters.requests;
    else canReq += w.counters.requests;
  }
  const baseline: SecondOfGroup[] = [];
  const canary: SecondOfGroup[] = [];
  for (const t of [...bySecond.keys()].sort((a, b) => a - b)) {
    const s = bySecond.get(t) as { b: Side; c: Side; durationMs: number };
    let b = merged(s.b, s.durationMs);
    let c = merged(s.c, s.durationMs);
    if ((o.equalize ?? true) && b.requests > 0 && c.requests > 0) {
      if (b.requests > c.requests) b = thinSecond(b, c.requests, o.random);
      else if (c.requests > b.requests) c = thinSecond(c, b.requests, o.random);
    }
    baseline.push(b);
    canary.push(c);
  }
  return { baseline, canary, requests: { baseline: baseReq, canary: canReq }, seconds: bySecond.size };
}

function emptySide(): Side {
  return { latency: [], requests: 0, errors: 0 };
}

function merged(s: Side, durationMs: number): SecondOfGroup {
  return {
    latency: s.latency.length ? mergeBuckets(s.latency) : emptyBuckets,
    requests: s.requests,
    errors: s.errors,
    durationMs,
  };
}

/**
 * `k` of a second's requests drawn without replacement: latencies by selection sampling
 * over the buckets (Knuth's algorithm S, one pass), errors by a hypergeometric draw.
 * Latency and error draws are independent, which keeps each side's marginals exact.
 */
export function thinSecond(s: SecondOfGroup, k: number, random: Random): SecondOfGroup {
  if (k >= s.requests) return s;
  return {
    latency: thinBuckets(s.latency, Math.round((k * s.latency.total) / s.requests), random),
    requests: k,
    errors: hypergeometric(s.requests, s.errors, k, random),
    durationMs: s.durationMs,
  };
}

/** `k` values of a bucket set drawn without replacement. */
export function thinBuckets(b: Buckets, k: number, random: Random): Buckets {
  if (k >= b.total) return b;
  if (k <= 0) return emptyBuckets;
  const counts = new Float64Array(b.counts.length);
  let need = k;
  let left = b.total;
  for (let i = 0; i < b.counts.length && need > 0; i++) {
    const c = b.counts[i] as number;
    let kept = 0;
    for (let j = 0; j < c && need > 0; j++) {
      if (random.next() * left < need) {
        kept++;
        need--;
      }
      left--;
    }
    counts[i] = kept;
  }
  const idx = [...counts.keys()].filter((i) => (counts[i] as number) > 0);
  return {
    highs: Float64Array.from(idx, (i) => b.highs[i] as number),
    mids: Float64Array.from(idx, (i) => b.mids[i] as number),
    counts: Float64Array.from(idx, (i) => counts[i] as number),
    total: k,
  };
}

/** Successes in `k` draws without replacement from `n` items of which `good` are successes. */
export function hypergeometric(n: number, good: number, k: number, random: Random): number {
  let hits = 0;
  let g = good;
  let left = n;
  for (let i = 0; i < k && g > 0; i++) {
    if (random.next() * left < g) {
      hits++;
      g--;
    }
    left--;
  }
  return hits;
}
