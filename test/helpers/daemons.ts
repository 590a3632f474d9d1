import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real Prometheus and Alertmanager servers (Debian packages prometheus and
 * prometheus-alertmanager, see .ci/apt-packages) started by a test on free loopback
 * ports with temporary config and storage; never the system daemons.
 */
export interface Daemon {
  url: string;
  port: number;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function startDaemon(
  bin: string,
  args: (dir: string, port: number) => string[],
  files: Record<string, string>,
  readyPath: string,
): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'shakedown-daemon-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const port = await freePort();
  let out = '';
  const child: ChildProcess = spawn(bin, args(dir, port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnError = new Promise<never>((_, reject) =>
    child.on('error', (e) =>
      reject(
        new Error(`${bin} could not start (install the Debian package, see .ci/apt-packages): ${e.message}`),
      ),
    ),
  );
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${bin} exited ${child.exitCode}:\n${out}`);
    try {
      const r = await Promise.race([fetch(`${url}${readyPath}`), spawnError]);
      if (r.ok) break;
    } catch (e) {
      if ((e as Error).message.includes('could not start')) throw e;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${bin} not ready after 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, dir, output: () => out, stop };
}

/** Prometheus scraping `targets` (host:port) every second at `metricsPath`. */
export function startPrometheus(targets: string[], metricsPath = '/metrics'): Promise<Daemon> {
  const config = `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: test\n    metrics_path: ${metricsPath}\n    static_configs:\n      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]\n`;
  return startDaemon(
    'prometheus',
    (dir, port) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { 'prometheus.yml': config },
    '/-/ready',
  );
}

/** Alertmanager with one receiver that goes nowhere, grouping by alertname. */
export function startAlertmanager(): Promise<Daemon> {
  const config =
    'route:\n  receiver: sink\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: sink\n';
  return startDaemon(
    'prometheus-alertmanager',
    (dir, port) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { 'alertmanager.yml': config },
    '/-/ready',
  );
}
