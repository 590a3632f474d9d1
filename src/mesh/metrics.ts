import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Cluster } from './cluster.js';
import type { FaultTable } from './faults/table.js';
import type { Listener } from './listener.js';
import type { Service } from './service.js';
import { codeClasses, latencyBucketsSeconds, type TrafficStats } from './stats.js';

/**
 * The mesh's Prometheus metrics, exposed with prom-client's registry and text format.
 * Values live in the mesh's own counters (plain numbers on the hot path) and are read
 * when `/metrics` is scraped: each metric here is a prom-client metric object whose
 * `get()` collects them, so a request costs no label hashing.
 */
export interface MetricsSource {
  services(): Iterable<Service>;
  listeners(): Iterable<Listener>;
  faults: FaultTable;
}

type Labels = Record<string, string | number>;
interface Value {
  labels: Labels;
  value: number;
  metricName?: string;
}
type MetricType = 'counter' | 'gauge' | 'histogram';

function collected(name: string, help: string, type: MetricType, collect: () => Value[] | Promise<Value[]>) {
  return {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    async get() {
      return { name, help, type, aggregator: 'sum', values: await collect() };
    },
  };
}

export class MeshMetrics {
  readonly registry = new Registry();

  constructor(private readonly src: MetricsSource) {
    const r = this.registry;
    const add = (m: ReturnType<typeof collected>) => r.registerMetric(m as never);
    add(
      collected(
        'shakedown_mesh_requests_total',
        'Downstream requests by route, service, version and status class (none: no response sent)',
        'counter',
        () =>
          this.stats().flatMap((s) =>
            codeClasses
              .map((cls, i) => ({
                labels: { ...labelsOf(s), code_class: cls },
                value: s.byClass[i] as number,
              }))
              .filter((v) => v.value > 0),
          ),
      ),
    );
    add(
      collected(
        'shakedown_mesh_request_duration_seconds',
        'Downstream request latency (received to response end), seconds',
        'histogram',
        () => this.stats().flatMap(histogramValues),
      ),
    );
    add(
      collected(
        'shakedown_mesh_retries_total',
        'Retries made, by route, service and version',
        'counter',
        () => this.stats().map((s) => ({ labels: labelsOf(s), value: s.retries })),
      ),
    );
    add(
      collected('shakedown_mesh_upstream_requests_total', 'Attempts sent to each endpoint', 'counter', () =>
        this.endpoints((c, e) => ({ labels: epLabels(c, e.id), value: e.attempts })),
      ),
    );
    add(
      collected(
        'shakedown_mesh_upstream_connect_errors_total',
        'Attempts that failed to connect, were reset or timed out, by endpoint',
        'counter',
        () => this.endpoints((c, e) => ({ labels: epLabels(c, e.id), value: e.connectErrors })),
      ),
    );
    add(
      collected('shakedown_mesh_outlier_ejections_total', 'Outlier ejections, by endpoint', 'counter', () =>
        this.endpoints((c, e) => ({ labels: epLabels(c, e.id), value: e.ejections })),
      ),
    );
    add(
      collected(
        'shakedown_mesh_endpoint_available',
        '1 when the endpoint may get new requests (healthy, not ejected, not draining)',
        'gauge',
        () => {
          const now = performance.timeOrigin + performance.now();
          return this.endpoints((c, e) => ({ labels: epLabels(c, e.id), value: e.isAvailable(now) ? 1 : 0 }));
        },
      ),
    );
    add(
      collected(
        'shakedown_mesh_upstream_connections',
        'Open upstream connections, by endpoint',
        'gauge',
        () => this.endpoints((c, e) => ({ labels: epLabels(c, e.id), value: e.pool.connected })),
      ),
    );
    add(
      collected(
        'shakedown_mesh_circuit_breaker_rejections_total',
        'Attempts rejected by circuit breaking, by limit',
        'counter',
        () =>
          this.clusters().flatMap((c) =>
            (['max-requests', 'max-pending'] as const).map((reason) => ({
              labels: { service: c.service, version: c.version, reason },
              value: c.overflows[reason],
            })),
          ),
      ),
    );
    add(
      collected('shakedown_mesh_upstream_requests_active', 'Attempts in flight, by version', 'gauge', () =>
        this.clusters().map((c) => ({
          labels: { service: c.service, version: c.version },
          value: c.attemptsInFlight,
        })),
      ),
    );
    add(
      collected(
        'shakedown_mesh_upstream_requests_pending',
        'Attempts waiting for a connection',
        'gauge',
        () =>
          this.clusters().map((c) => ({
            labels: { service: c.service, version: c.version },
            value: c.pending,
          })),
      ),
    );
    add(
      collected(
        'shakedown_mesh_mirrored_requests_total',
        'Requests copied to a mirror version',
        'counter',
        () =>
          this.clusters()
            .filter((c) => c.mirrored > 0)
            .map((c) => ({ labels: { service: c.service, version: c.version }, value: c.mirrored })),
      ),
    );
    add(
      collected('shakedown_mesh_weight', 'Configured weight of each version', 'gauge', () =>
        [...this.src.services()].flatMap((s) =>
          Object.entries(s.weights()).map(([version, value]) => ({
            labels: { service: s.name, version },
            value,
          })),
        ),
      ),
    );
    add(
      collected(
        'shakedown_mesh_faults_injected_total',
        'Requests a fault filter acted on, by fault type, route, service and version',
        'counter',
        () =>
          [...this.src.faults.injected].map(([key, value]) => {
            const [type, route, service, version] = key.split('\u0001');
            return {
              labels: {
                type: type ?? '',
                route: route ?? '',
                service: service ?? '',
                version: version ?? '',
              },
              value,
            };
          }),
      ),
    );
    add(
      collected(
        'shakedown_mesh_active_connections',
        'Open downstream connections, by listener',
        'gauge',
        async () =>
          Promise.all(
            [...this.src.listeners()].map(async (l) => ({
              labels: { listener: l.name },
              value: await l.connections(),
            })),
          ),
      ),
    );
    add(
      collected(
        'shakedown_mesh_bad_requests_total',
        'Requests rejected before routing (malformed, oversized headers, timeouts), by reason',
        'counter',
        () =>
          [...this.src.listeners()].flatMap((l) =>
            [...l.badRequests].map(([reason, value]) => ({ labels: { listener: l.name, reason }, value })),
          ),
      ),
    );
    add(
      collected('shakedown_mesh_unrouted_requests_total', 'Requests no route matched (404)', 'counter', () =>
        [...this.src.listeners()].map((l) => ({ labels: { listener: l.name }, value: l.unrouted })),
      ),
    );
    collectDefaultMetrics({ register: r });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private clusters(): Cluster[] {
    return [...this.src.services()].flatMap((s) => s.clusters);
  }

  private stats(): TrafficStats[] {
    return this.clusters().flatMap((c) => c.statsByRoute.filter((s): s is TrafficStats => s !== undefined));
  }

  private endpoints(f: (c: Cluster, e: Cluster['endpoints'][number]) => Value): Value[] {
    return this.clusters().flatMap((c) => c.endpoints.map((e) => f(c, e)));
  }
}

function labelsOf(s: TrafficStats): Labels {
  return { route: s.route, service: s.service, version: s.version };
}

function epLabels(c: Cluster, endpoint: string): Labels {
  return { service: c.service, version: c.version, endpoint };
}

function histogramValues(s: TrafficStats): Value[] {
  const labels = labelsOf(s);
  const out: Value[] = [];
  let cumulative = 0;
  for (let i = 0; i < latencyBucketsSeconds.length; i++) {
    cumulative += s.buckets[i] as number;
    out.push({
      metricName: 'shakedown_mesh_request_duration_seconds_bucket',
      labels: { ...labels, le: latencyBucketsSeconds[i] as number },
      value: cumulative,
    });
  }
  cumulative += s.buckets[latencyBucketsSeconds.length] as number;
  out.push({
    metricName: 'shakedown_mesh_request_duration_seconds_bucket',
    labels: { ...labels, le: '+Inf' },
    value: cumulative,
  });
  out.push({ metricName: 'shakedown_mesh_request_duration_seconds_sum', labels, value: s.sumSeconds });
  out.push({ metricName: 'shakedown_mesh_request_duration_seconds_count', labels, value: s.count });
  return out;
}
