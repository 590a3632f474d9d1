import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { abandonedBecause, type LivenessContext, processExists } from './recovery.js';
import type { RunRecord } from './types.js';

const run = (over: Partial<RunRecord>): RunRecord => ({
  id: 'r',
  kind: 'load',
  status: 'running',
  specHash: null,
  startMs: 0,
  endMs: null,
  heartbeatMs: 100_000,
  plannedDurationMs: null,
  gitSha: null,
  gitBranch: null,
  environment: null,
  tags: {},
  pid: 10,
  host: 'here',
  summary: null,
  abortReason: null,
  meta: {},
  windowCount: 0,
  eventCount: 0,
  ...over,
});

const ctx = (over: Partial<LivenessContext> = {}): LivenessContext => ({
  nowMs: 105_000,
  host: 'here',
  isAlive: () => true,
  staleAfterMs: 30_000,
  pidReuseAfterMs: 600_000,
  ...over,
});

describe('abandonedBecause', () => {
  it.each([
    ['finished runs are never abandoned', run({ status: 'passed' }), ctx({ isAlive: () => false }), null],
    ['same host, process gone', run({}), ctx({ isAlive: () => false }), 'process-exited'],
    ['same host, process alive, recent heartbeat', run({}), ctx(), null],
    [
      'same host, alive but silent for longer than pid reuse',
      run({}),
      ctx({ nowMs: 800_000 }),
      'heartbeat-lost',
    ],
    ['same host, alive and silent for a minute (a busy run)', run({}), ctx({ nowMs: 160_000 }), null],
    ['other host, fresh heartbeat', run({ host: 'there' }), ctx({ isAlive: () => false }), null],
    ['other host, stale heartbeat', run({ host: 'there' }), ctx({ nowMs: 131_000 }), 'heartbeat-lost'],
    ['no pid recorded, stale heartbeat', run({ pid: null }), ctx({ nowMs: 131_000 }), 'heartbeat-lost'],
  ])('%s', (_name, r, c, want) => {
    expect(abandonedBecause(r, c)).toBe(want);
  });
});

describe('processExists', () => {
  it('sees this process and not one that has exited', () => {
    expect(processExists(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    expect(processExists(Number(child.stdout))).toBe(false);
  });
});
