import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startExampleService } from '../../src/demo/example-service.js';
import type { LoadSummary } from '../../src/load/summary.js';
import { runCliProcess } from '../helpers/cli.js';

// 10,000 VUs, each with its own keep-alive connection, against the example service
// running in its own process.
let service: RunningService;
const dir = mkdtempSync(join(tmpdir(), 'shakedown-10k-'));

beforeAll(async () => {
  service = await startExampleService();
});
afterAll(() => service.stop());

/** Pids of the processes whose environment carries `tag` (children inherit it). */
function processesTagged(tag: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(tag)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return pids;
}

describe('10,000 VUs', () => {
  it('holds 10,000 concurrent VUs for 20 s with think time, with under 1 % errors', async () => {
    const out = join(dir, 's.json');
    const r = await runCliProcess([
      'load',
      `${service.baseUrl}/products`,
      '--vus',
      '10000',
      '--duration',
      '20s',
      '--think',
      '1s',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8')) as LoadSummary;
    expect(s.vusMax).toBeGreaterThanOrEqual(10_000);
    expect(s.vus).toBeGreaterThanOrEqual(10_000);
    expect(s.errorRate).toBeLessThan(0.01);
    expect(s.requests).toBeGreaterThan(100_000);
  });

  it('`shakedown demo` reaches 10,000 VUs, prints the summary and leaves no process behind', async () => {
    const out = join(dir, 'demo.json');
    const tag = `SHAKEDOWN_TEST_TAG=${randomUUID()}`;
    const r = await runCliProcess(['demo', '--quiet', '--out', out], {
      env: { SHAKEDOWN_TEST_TAG: tag.split('=')[1] as string },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('TOTAL RESULTS');
    expect(r.stdout).toContain('10000 peak active');
    const s = JSON.parse(readFileSync(out, 'utf8')) as LoadSummary;
    expect(s.vusMax).toBeGreaterThanOrEqual(10_000);
    expect(s.errorRate).toBeLessThan(0.001);
    // Neither the demo nor the service it started is left behind.
    expect(processesTagged(tag)).toEqual([]);
  });
});
