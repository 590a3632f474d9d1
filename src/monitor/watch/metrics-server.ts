import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { MemorySeriesStore } from '../tsdb.js';

/**
 * `watch`'s own /metrics (prom-client): the forecasts and recommended replica counts for
 * KEDA or an HPA on external metrics, anomaly scores, and firing alerts. Read-only, bound
 * to the configured (loopback by default) address.
 */
export class WatchMetrics {
  readonly registry = new Registry();
  private server: Server | undefined;

  constructor(store: MemorySeriesStore, firing: () => Array<{ labels: Record<string, string> }>) {
    const fromStore = (name: string, help: string, labelNames: string[]) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const s of store.select(name, [], Date.now() - 300_000, Date.now() + 1)) {
            const last = s.samples[s.samples.length - 1];
            if (!last) continue;
            const labels: Record<string, string> = {};
            for (const l of labelNames) labels[l] = s.labels[l] ?? '';
            this.set(labels, last.v);
          }
        },
      });
    fromStore('shakedown_forecast_rps', 'Forecast peak request rate over the lead time', ['service']);
    fromStore('shakedown_recommended_replicas', 'Recommended replica count (HPA rules on the forecast)', [
      'service',
    ]);
    fromStore('shakedown_anomaly_score', 'Latest anomaly score per anomaly rule and series', [
      'rule',
      'service',
    ]);
    new Gauge({
      name: 'shakedown_alerts_firing',
      help: 'Alerts firing, by alertname',
      labelNames: ['alertname'],
      registers: [this.registry],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const a of firing())
          counts.set(a.labels.alertname ?? '', (counts.get(a.labels.alertname ?? '') ?? 0) + 1);
        for (const [alertname, n] of counts) this.set({ alertname }, n);
      },
    });
  }

  async listen(hostPort: string): Promise<string> {
    const i = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(hostPort.slice(i + 1));
    this.server = createServer(async (req, res) => {
      if (req.url !== '/metrics') {
        res.statusCode = 404;
        res.end('not found; try /metrics\n');
        return;
      }
      res.setHeader('content-type', this.registry.contentType);
      res.end(await this.registry.metrics());
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new ShakedownError('E_LISTEN', `cannot listen on ${hostPort}: ${e.code ?? e.message}`, {
            exitCode: ExitCode.environment,
          }),
        ),
      );
      server.listen(port, host, resolve);
    });
    const a = server.address() as AddressInfo;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
