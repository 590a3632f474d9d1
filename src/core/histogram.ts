import * as hdr from 'hdr-histogram-js';

/**
 * Latency histograms: HdrHistogram (hdr-histogram-js) in microseconds, 3 significant
 * digits, 1 µs to 1 h, auto-resizing past that. Windows from workers, processes and
 * stored runs merge by histogram addition; percentiles are read from merged histograms,
 * never averaged.
 */
export type Histogram = hdr.Histogram;

const ONE_HOUR_US = 3_600_000_000;

/** An empty latency histogram (values in µs). */
export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: ONE_HOUR_US,
    numberOfSignificantValueDigits: 3,
  });
}

/** Encodes with HdrHistogram's compressed base64 format (interoperable with Java/Go/k6 tools). */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes a compressed base64 histogram into a fresh, mergeable histogram. */
export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Decoded histograms are sized to their content; copy into a standard one so that
  // merging into it later never overflows.
  const h = createHistogram();
  h.add(decoded);
  return h;
}

/** Records `valueUs`, clamped to ≥ 1 µs so zero-length timings still count. */
export function recordUs(h: Histogram, valueUs: number): void {
  h.recordValue(valueUs < 1 ? 1 : Math.round(valueUs));
}

/** The distribution summary used in outputs, in milliseconds. */
export interface LatencySummaryMs {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

const usToMs = (us: number) => Math.round(us) / 1000;

/** Summarises a µs histogram in ms; all zeros when empty. */
export function summarizeMs(h: Histogram): LatencySummaryMs {
  if (h.totalCount === 0) {
    return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  }
  return {
    count: h.totalCount,
    min: usToMs(h.minNonZeroValue),
    mean: Math.round(h.mean) / 1000,
    p50: usToMs(h.getValueAtPercentile(50)),
    p90: usToMs(h.getValueAtPercentile(90)),
    p95: usToMs(h.getValueAtPercentile(95)),
    p99: usToMs(h.getValueAtPercentile(99)),
    p999: usToMs(h.getValueAtPercentile(99.9)),
    max: usToMs(h.maxValue),
  };
}
