import { createHistogram, type Histogram, type LatencySummaryMs, summarizeMs } from '../core/histogram.js';
import {
  addCounters,
  emptyCounters,
  keyId,
  type Window,
  type WindowCounters,
  type WindowKey,
} from '../core/window.js';
import type { MetricReader, ParsedThreshold } from './thresholds.js';

/**
 * The cumulative view of a run: windows merged per key (exactly: histogram and counter
 * addition), plus the per-second series and VU gauges. Thresholds, the summary and the
 * progress line read from it.
 */
export interface KeyTotals {
  key: WindowKey;
  latencyUs: Histogram;
  serviceTimeUs: Histogram;
  counters: WindowCounters;
}

export interface SecondPoint {
  t: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  vus: number;
}

export interface VuGauge {
  scenario: string;
  active: number;
  allocated: number;
}

export class RunAggregate {
  readonly byKey = new Map<string, KeyTotals>();
  readonly series: SecondPoint[] = [];
  vusPeak = 0;
  vusAllocatedPeak = 0;
  firstWindowMs: number | undefined;
  lastWindowEndMs: number | undefined;

  /** Adds one second's merged windows (all keys) and its VU gauges. */
  addSecond(t: number, windows: readonly Window[], vus: readonly VuGauge[]): SecondPoint {
    const lat = createHistogram();
    let requests = 0;
    let errors = 0;
    for (const w of windows) {
      const id = keyId(w.key);
      let k = this.byKey.get(id);
      if (!k) {
        k = {
          key: w.key,
          latencyUs: createHistogram(),
          serviceTimeUs: createHistogram(),
          counters: emptyCounters(),
        };
        this.byKey.set(id, k);
      }
      k.latencyUs.add(w.latencyUs);
      k.serviceTimeUs.add(w.serviceTimeUs);
      addCounters(k.counters, w.counters);
      lat.add(w.latencyUs);
      requests += w.counters.requests;
      errors += w.counters.errors;
      this.firstWindowMs = Math.min(this.firstWindowMs ?? w.startMs, w.startMs);
      this.lastWindowEndMs = Math.max(this.lastWindowEndMs ?? 0, w.startMs + w.durationMs);
    }
    const active = vus.reduce((s, v) => s + v.active, 0);
    const allocated = vus.reduce((s, v) => s + v.allocated, 0);
    this.vusPeak = Math.max(this.vusPeak, active);
    this.vusAllocatedPeak = Math.max(this.vusAllocatedPeak, allocated, active);
    const point: SecondPoint = {
      t,
      requests,
      errors,
      p50Ms: lat.totalCount ? lat.getValueAtPercentile(50) / 1000 : 0,
      p99Ms: lat.totalCount ? lat.getValueAtPercentile(99) / 1000 : 0,
      vus: active,
    };
    this.series.push(point);
    return point;
  }

  /** Totals over the keys matching `filter` (absent fields match anything). */
  totals(
    filter: Partial<Record<'scenario' | 'request' | 'zone', string>> = {},
  ): KeyTotals & { keys: number } {
    const out = {
      key: {},
      latencyUs: createHistogram(),
      serviceTimeUs: createHistogram(),
      counters: emptyCounters(),
      keys: 0,
    };
    for (const k of this.byKey.values()) {
      if (filter.scenario !== undefined && k.key.scenario !== filter.scenario) continue;
      if (filter.request !== undefined && k.key.request !== filter.request) continue;
      if (filter.zone !== undefined && k.key.zone !== filter.zone) continue;
      out.latencyUs.add(k.latencyUs);
      out.serviceTimeUs.add(k.serviceTimeUs);
      addCounters(out.counters, k.counters);
      out.keys++;
    }
    return out;
  }

  /** Values of dimension `dim` seen so far. */
  values(dim: 'scenario' | 'request' | 'zone'): string[] {
    const s = new Set<string>();
    for (const k of this.byKey.values()) {
      const v = k.key[dim];
      if (v !== undefined) s.add(v);
    }
    return [...s];
  }

  elapsedSec(): number {
    if (this.firstWindowMs === undefined || this.lastWindowEndMs === undefined) return 0;
    return (this.lastWindowEndMs - this.firstWindowMs) / 1000;
  }

  /** A reader that gives thresholds their values. */
  reader(elapsedSec: () => number = () => this.elapsedSec()): MetricReader {
    return {
      value: (p: ParsedThreshold) => {
        if (p.metric === 'vus' || p.metric === 'vus_max') {
          const v = p.metric === 'vus' ? this.vusPeak : this.vusAllocatedPeak;
          if (p.aggregation === 'min') {
            const vals = this.series.map((s) => s.vus);
            return vals.length ? Math.min(...vals) : undefined;
          }
          return v;
        }
        const t = this.totals(p.filter);
        if (t.keys === 0) return undefined;
        const c = t.counters;
        switch (p.metric) {
          case 'http_req_duration':
          case 'http_req_service_time': {
            const h = p.metric === 'http_req_duration' ? t.latencyUs : t.serviceTimeUs;
            if (h.totalCount === 0) return undefined;
            return trendValue(h, p);
          }
          case 'http_req_failed':
            return c.requests ? c.errors / c.requests : undefined;
          case 'checks': {
            const n = c.checksPassed + c.checksFailed;
            return n ? c.checksPassed / n : undefined;
          }
          default: {
            const count = counterValue(p.metric, c);
            if (p.aggregation === 'rate') {
              const s = elapsedSec();
              return s > 0 ? count / s : 0;
            }
            return count;
          }
        }
      },
    };
  }
}

function trendValue(h: Histogram, p: ParsedThreshold): number {
  switch (p.aggregation) {
    case 'avg':
      return h.mean / 1000;
    case 'min':
      return h.minNonZeroValue / 1000;
    case 'max':
      return h.maxValue / 1000;
    case 'med':
      return h.getValueAtPercentile(50) / 1000;
    default:
      return h.getValueAtPercentile(p.percentile ?? 50) / 1000;
  }
}

function counterValue(metric: string, c: WindowCounters): number {
  switch (metric) {
    case 'http_reqs':
      return c.requests;
    case 'iterations':
      return c.iterations;
    case 'dropped_iterations':
      return c.droppedIterations;
    case 'data_received':
      return c.bytesIn;
    case 'data_sent':
      return c.bytesOut;
    default:
      return 0;
  }
}

/** Group summary used in `byScenario` and `byZone`. */
export interface GroupSummary {
  requests: number;
  rps: number;
  errors: number;
  errorRate: number;
  droppedIterations: number;
  checksPassed: number;
  checksFailed: number;
  latencyMs: LatencySummaryMs;
  serviceTimeMs: LatencySummaryMs;
}

export function groupSummary(t: KeyTotals, elapsedSec: number): GroupSummary {
  const c = t.counters;
  return {
    requests: c.requests,
    rps: elapsedSec > 0 ? round(c.requests / elapsedSec, 2) : 0,
    errors: c.errors,
    errorRate: c.requests ? round(c.errors / c.requests, 6) : 0,
    droppedIterations: c.droppedIterations,
    checksPassed: c.checksPassed,
    checksFailed: c.checksFailed,
    latencyMs: summarizeMs(t.latencyUs),
    serviceTimeMs: summarizeMs(t.serviceTimeUs),
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
