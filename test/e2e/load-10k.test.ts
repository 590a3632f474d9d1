import { mkdtempSync, readFileSync } from 'node:fs';
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
});
