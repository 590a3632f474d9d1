import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadSummary } from '../../src/load/summary.js';
import { runCliProcess, spawnCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

// `shakedown load` as users run it: the built CLI in its own process, a real server.
let fast: TestServer;
let stalling: TestServer;
let stallTriggered = false;
const dir = mkdtempSync(join(tmpdir(), 'shakedown-load-'));

beforeAll(async () => {
  fast = await startTestServer((_req, res) => res.end('ok'));
  // Stalls once for 1 s when its 800th request arrives (≈ 4 s into a 200/s run): every
  // response, including those of requests arriving meanwhile, waits until the stall ends.
  let stallUntil = 0;
  stalling = await startTestServer((_req, res, n) => {
    if (n === 800 && !stallTriggered) {
      stallTriggered = true;
      stallUntil = Date.now() + 1000;
    }
    const wait = stallUntil - Date.now();
    if (wait > 0) setTimeout(() => res.end('ok'), wait);
    else res.end('ok');
  });
});
afterAll(async () => {
  await fast.close();
  await stalling.close();
});

function readSummary(path: string): LoadSummary {
  return JSON.parse(readFileSync(path, 'utf8')) as LoadSummary;
}

describe('shakedown load', () => {
  it('shows a 1 s stall in p99 latency but not in service time (no coordinated omission)', async () => {
    const out = join(dir, 'co.json');
    const r = await runCliProcess([
      'load',
      `${stalling.url}/`,
      '--rate',
      '200/s',
      '--duration',
      '10s',
      '--vus',
      '10',
      '--max-vus',
      '10',
      '--workers',
      '1',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(stallTriggered).toBe(true);
    const s = readSummary(out);
    expect(s.requests).toBe(2000);
    expect(s.droppedIterations).toBe(0);
    expect(s.latencyMs.p99).toBeGreaterThanOrEqual(500);
    expect(s.serviceTimeMs.p99).toBeLessThan(100);
    expect(s.latencyMs.p99).toBeGreaterThan(5 * s.serviceTimeMs.p99);
  });

  it('makes 40,000 starts ± 1 % at 2,000/s for 20 s', async () => {
    const out = join(dir, 'rate.json');
    const r = await runCliProcess([
      'load',
      `${fast.url}/`,
      '--rate',
      '2000/s',
      '--duration',
      '20s',
      '--vus',
      '50',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = readSummary(out);
    expect(Math.abs(s.requests + s.droppedIterations - 40_000)).toBeLessThanOrEqual(400);
    expect(Math.abs(s.requests - 40_000)).toBeLessThanOrEqual(400);
    expect(s.errorRate).toBe(0);
    expect(s.windows.length).toBeGreaterThanOrEqual(20);
  });

  it('exits 99 on a failing threshold and shows the observed value', async () => {
    const r = await runCliProcess([
      'load',
      `${fast.url}/`,
      '--vus',
      '2',
      '--duration',
      '1s',
      '--threshold',
      'http_req_duration: p(99)<0.001',
      '--threshold',
      'http_req_failed: rate<0.5',
    ]);
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/✗ 'p\(99\)<0\.001' p\(99\)=\d/);
    expect(r.stdout).toMatch(/✓ 'rate<0\.5' rate=0\.00%/);
  });

  it('exits 2 on a malformed threshold, naming it', async () => {
    const r = await runCliProcess([
      'load',
      `${fast.url}/`,
      '--duration',
      '1s',
      '--threshold',
      'http_req_duration: p99<250',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid threshold "http_req_duration: p99<250"');
    expect(r.stderr).toContain('E_THRESHOLD');
  });

  it('exits 2 with file:line:col for an invalid spec', async () => {
    const spec = join(dir, 'bad.yaml');
    writeFileSync(
      spec,
      'load:\n  scenarios:\n    a:\n      executor: constant-vus\n      vus: ten\n      duration: 1s\n      requests: [{url: /}]\n',
    );
    const r = await runCliProcess(['load', spec]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${spec}:5:12: load.scenarios.a.vus: expected a positive integer; got "ten"`);
  });

  it('runs a spec with scenarios, zones and thresholds per scenario', async () => {
    const spec = join(dir, 'shop.yaml');
    writeFileSync(
      spec,
      `load:
  baseUrl: ${fast.url}
  zones:
    - { name: eu, share: 0.5, latency: 5ms }
    - { name: us, share: 0.5, latency: 30ms }
  thresholds:
    "http_req_duration{scenario:api}": ["p(50)<2000"]
    checks: ["rate>0.99"]
  scenarios:
    browse:
      executor: per-vu-iterations
      vus: 4
      iterations: 10
      requests:
        - { name: home, url: /, checks: [{ status: 200 }, { body: true, equals: ok }] }
    api:
      executor: constant-arrival-rate
      rate: 50/s
      duration: 1s
      startTime: 200ms
      preAllocatedVUs: 5
      requests: [{ name: ping, url: /ping }]
`,
    );
    const out = join(dir, 'shop.json');
    const r = await runCliProcess(['load', spec, '--out', out, '--quiet']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const s = readSummary(out);
    expect(s.byScenario.browse?.requests).toBe(40);
    expect(s.byScenario.api?.requests).toBe(50);
    expect(s.checks).toMatchObject({ passed: 80, failed: 0 });
    expect(Object.keys(s.byZone).sort()).toEqual(['eu', 'us']);
    expect(s.byZone.us?.latencyMs.p50).toBeGreaterThanOrEqual(30);
    expect(r.stdout).toContain('BY ZONE');
  });

  it('splits work across worker threads and merges it exactly', async () => {
    const out = join(dir, 'workers.json');
    const r = await runCliProcess([
      'load',
      `${fast.url}/`,
      '--iterations',
      '1001',
      '--vus',
      '6',
      '--workers',
      '3',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = readSummary(out);
    expect(s.requests).toBe(1001);
    expect(s.vusMax).toBe(6);
  });

  it('on SIGINT stops, writes what was measured as aborted, and exits 130', async () => {
    const out = join(dir, 'int.json');
    const { child, done } = spawnCli([
      'load',
      `${fast.url}/`,
      '--vus',
      '5',
      '--duration',
      '60s',
      '--out',
      out,
    ]);
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    const s = readSummary(out);
    expect(s.status).toBe('aborted');
    expect(s.requests).toBeGreaterThan(0);
    expect(s.durationS).toBeLessThan(10);
    expect(r.stdout).toContain('status: aborted (interrupted)');
  });

  it('exits 3 when the target cannot be reached and 2 for a remote target', async () => {
    const gone = await startTestServer();
    await gone.close();
    const r = await runCliProcess(['load', `${gone.url}/`, '--duration', '1s']);
    expect(r.code).toBe(3);
    const remote = await runCliProcess(['load', 'http://example.com/', '--duration', '1s']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('--allow-remote');
  });

  it('has --help on every command and --version', async () => {
    for (const args of [['--help'], ['load', '--help'], ['demo', '--help']]) {
      const r = await runCliProcess(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: shakedown');
    }
    const v = await runCliProcess(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = await runCliProcess(['load', '--vus', 'many', 'http://127.0.0.1:1/']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a positive integer');
  });
});
