/**
 * Per route × version traffic counters, kept as plain numbers on the hot path and turned
 * into Prometheus metrics only when `/metrics` is scraped (prom-client's own `inc()` hashes
 * its labels on every call, which a proxy cannot afford per request).
 */
export const latencyBucketsSeconds: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Prometheus `code_class` label values; index 0 is "no response sent" (client gone, reset). */
export const codeClasses = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

export class TrafficStats {
  /** Requests by code class, indexed as {@link codeClasses}. */
  readonly byClass = [0, 0, 0, 0, 0, 0];
  /** Non-cumulative bucket counts; the last one is +Inf. */
  readonly buckets = new Float64Array(latencyBucketsSeconds.length + 1);
  sumSeconds = 0;
  count = 0;
  retries = 0;

  constructor(
    readonly route: string,
    readonly service: string,
    readonly version: string,
    /** The key number of this route × version in the mesh's window recorder. */
    readonly windowKey: number,
  ) {}

  record(status: number, seconds: number): void {
    const cls = status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
    this.byClass[cls] = (this.byClass[cls] as number) + 1;
    const b = latencyBucketsSeconds;
    let i = 0;
    while (i < b.length && seconds > (b[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    this.sumSeconds += seconds;
    this.count++;
  }
}
