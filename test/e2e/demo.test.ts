import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadSummary } from '../../src/load/summary.js';
import { runCliProcess, spawnCli } from '../helpers/cli.js';
import { eventually, processesTagged } from '../helpers/fleet.js';

// `shakedown demo` (what `npm run demo` runs): the example shop behind the mesh under
// 10,000 shoppers, and nothing left running afterwards — also when the demo is killed.
// Every process it starts inherits the test's tag in its environment, so the check finds
// them wherever they are in the process tree.
const dir = mkdtempSync(join(tmpdir(), 'shakedown-demo-test-'));

describe('shakedown demo', () => {
  it('reaches 10,000 shoppers on the shop with under 0.1 % errors, rolls a slow catalog back and a good one forward, leaves no process', async () => {
    const out = join(dir, 'demo.json');
    const tag = randomUUID();
    const r = await runCliProcess(['demo', '--quiet', '--out', out], { env: { SHAKEDOWN_TEST_TAG: tag } });
    expect(r.stdout).toContain('TOTAL RESULTS');
    expect(r.stdout).toContain('10000 peak active');
    const s = JSON.parse(readFileSync(out, 'utf8')) as LoadSummary;
    // Latency depends on what else the machine runs; holding the users without errors does
    // not. So the demo passes, or fails on its latency threshold alone.
    const failed = s.thresholds.filter((t) => !t.ok).map((t) => t.metric);
    const errorsSeen = `errors ${s.errors} of ${s.requests} (${JSON.stringify(s.errorsByClass)}), per second: ${JSON.stringify(s.windows.filter((w) => w.errors > 0))}`;
    expect(
      failed.filter((m) => m !== 'http_req_duration'),
      `${errorsSeen}\n${r.stderr}`,
    ).toEqual([]);
    expect(r.code, r.stderr + r.stdout.slice(-3000)).toBe(failed.length === 0 ? 0 : 99);
    expect(s.vusMax).toBeGreaterThanOrEqual(10_000);
    expect(s.errorRate).toBeLessThan(0.001);
    expect(Object.keys(s.byScenario.shoppers?.byRequest ?? {}).sort()).toEqual([
      'add-to-cart',
      'browse',
      'checkout',
      'search',
    ]);
    // The rollout stage: the slow v2 rolled back by the judge, the good v3 promoted.
    expect(r.stdout).toContain('ROLLOUTS');
    expect(r.stdout).toMatch(
      /✓ catalog v2 \(150 ms slower, 2 % errors\): rolled back — [\d.]+ s from its first traffic to all traffic on v1/,
    );
    expect(r.stdout).toMatch(/why: analysis judge failed: .*latency_p50_ms worse/);
    expect(r.stdout).toMatch(/✓ catalog v3 \(a good release\): promoted in [\d.]+ s/);
    expect(r.stdout).not.toContain('✗');
    expect(processesTagged(tag)).toEqual([]);
  }, 360_000); // about 2 min 15 s on two quiet cores: 50 s of load, then two rollouts

  it('leaves no process behind when it is killed with SIGKILL mid-run', async () => {
    const tag = randomUUID();
    const { child, done } = spawnCli(['demo'], { env: { SHAKEDOWN_TEST_TAG: tag } });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    // Bounded: the shop is up within 60 s or the test fails.
    expect(await eventually(() => stderr.includes('ramping to 10,000 shoppers'), 60_000), stderr).toBe(true);
    expect(processesTagged(tag).length).toBeGreaterThanOrEqual(6); // demo, up, watchdog, 5 replicas
    child.kill('SIGKILL');
    await done;
    // `up` sees its stdin close and drains and stops; the fleet's watchdog reaps the rest.
    expect(
      await eventually(() => processesTagged(tag).length === 0, 30_000),
      String(processesTagged(tag)),
    ).toBe(true);
  });
});
