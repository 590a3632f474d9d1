import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { type Daemon, startAlertmanager } from '../helpers/daemons.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

// A local service turns slow mid-run: `shakedown watch` (a real process) probes it, its
// anomaly rule fires within 10 s, the alert reaches a real Alertmanager (Debian's
// prometheus-alertmanager, started here on a free port), and resolves after recovery.
let service: TestServer;
let am: Daemon;
let delayMs = 0;
const dir = mkdtempSync(join(tmpdir(), 'shakedown-watch-'));

beforeAll(async () => {
  service = await startTestServer((_req, res) => {
    if (delayMs > 0) setTimeout(() => res.end('slow'), delayMs);
    else res.end('ok');
  });
  am = await startAlertmanager();
});

afterAll(async () => {
  await am?.stop();
  await service?.close();
});

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
  endsAt: string;
}

async function amAlerts(): Promise<AmAlert[]> {
  return (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
}

async function until<T>(
  what: string,
  ms: number,
  f: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('shakedown watch', () => {
  it('a slow service raises an anomaly alert within 10 s that reaches Alertmanager and resolves after recovery', async () => {
    const spec = join(dir, 'shakedown.yaml');
    writeFileSync(
      spec,
      `version: 1
watch:
  interval: 500ms
  externalLabels: { cluster: test }
  sources:
    - { type: probe, name: api, url: "${service.url}/", rate: 20/s, timeout: 2s }
  rules:
    groups:
      - name: latency
        interval: 500ms
        rules:
          - anomaly: LatencyAnomaly
            expr: shakedown_latency_seconds{service="api", quantile="0.5"}
            detector: { type: robust-zscore, params: { window: 120, minSamples: 10 } }
            threshold: 0.95
            labels: { severity: page }
            annotations:
              summary: "median latency of {{ $labels.service }} is anomalous (score {{ printf \\"%.2f\\" $value }})"
  notifiers:
    - { type: alertmanager, url: "${am.url}", resendDelay: 2s }
    - { type: console }
`,
    );
    const run = spawnCli(['watch', spec, '--json', '--quiet']);
    const lines: Array<Record<string, unknown>> = [];
    let buf = '';
    run.child.stdout?.on('data', (d) => {
      buf += d;
      let i = buf.indexOf('\n');
      while (i >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
        i = buf.indexOf('\n');
      }
    });
    try {
      // Warm up: 10 s of normal latency (the detector needs 10 evaluations).
      await new Promise((r) => setTimeout(r, 10_000));
      expect(lines.filter((l) => l.kind === 'alert')).toEqual([]);

      delayMs = 300;
      const slowAt = Date.now();
      const firing = await until('the firing alert line', 10_000, () =>
        lines.find(
          (l) =>
            l.kind === 'alert' &&
            l.change === 'firing' &&
            (l.labels as Record<string, string>).alertname === 'LatencyAnomaly',
        ),
      );
      const detectMs = Date.now() - slowAt;
      expect(detectMs).toBeLessThan(10_000);
      console.log(`anomaly alert fired ${detectMs} ms after the slowdown`);
      expect(firing.labels).toMatchObject({
        alertname: 'LatencyAnomaly',
        service: 'api',
        quantile: '0.5',
        severity: 'page',
        cluster: 'test',
      });
      expect(String((firing.annotations as Record<string, string>).summary)).toMatch(
        /median latency of api is anomalous \(score [01]\.\d\d\)/,
      );

      const inAm = await until(
        'the alert in Alertmanager',
        Math.max(1000, 10_000 - (Date.now() - slowAt)),
        async () =>
          (await amAlerts()).find(
            (a) => a.labels.alertname === 'LatencyAnomaly' && a.status.state === 'active',
          ),
      );
      expect(Date.now() - slowAt).toBeLessThan(10_000);
      expect(inAm.labels).toMatchObject({ service: 'api', severity: 'page', cluster: 'test' });

      delayMs = 0;
      await until('the resolved alert line', 20_000, () =>
        lines.find((l) => l.kind === 'alert' && l.change === 'resolved'),
      );
      // Resolved in Alertmanager too: it no longer lists the alert as active.
      await until('Alertmanager to drop the alert', 10_000, async () =>
        (await amAlerts()).some((a) => a.labels.alertname === 'LatencyAnomaly' && a.status.state === 'active')
          ? undefined
          : true,
      );
    } finally {
      run.child.kill('SIGINT');
    }
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/FIRING +LatencyAnomaly/); // the console notifier, on stderr with --json
  });

  it('rejects a bad watch: section at file:line:col', async () => {
    const spec = join(dir, 'bad.yaml');
    writeFileSync(spec, 'version: 1\nwatch:\n  notifiers:\n    - type: pager\n');
    const r = await spawnCli(['watch', spec]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bad\.yaml:4:\d+: watch\.notifiers\.0\.type: unknown notifier "pager"; expected one of alertmanager, console, webhook/,
    );
  });
});
