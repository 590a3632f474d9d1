import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticWindows } from '../../test/helpers/runs.js';
import { createRandom } from '../core/random.js';
import { loadConfigFromFlags } from '../load/from-flags.js';
import type { RunInfo, SecondReport } from '../load/output.js';
import type { LoadSummary } from '../load/summary.js';
import { parseTags, storeOutputFor } from './load-flags.js';
import { loadSpecHash, StoreOutput } from './load-output.js';
import { openStore } from './open.js';

const dir = mkdtempSync(join(tmpdir(), 'shakedown-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = loadConfigFromFlags('http://127.0.0.1:9/', { vus: 2, duration: '3s' });
const info: RunInfo = {
  startMs: 1_780_000_000_000,
  plannedDurationMs: 3000,
  plannedMaxVus: 2,
  scenarios: [{ name: 'default', executor: 'constant-vus', startTimeMs: 0, durationMs: 3000, maxVUs: 2 }],
  config,
};
const r = createRandom(3);
const second = (i: number): SecondReport =>
  ({
    t: info.startMs + i * 1000,
    index: i,
    windows: syntheticWindows(r, info.startMs + i * 1000, 1, [{}]),
    vus: [],
    point: {},
    aggregate: {},
  }) as unknown as SecondReport;
const summary = (status: LoadSummary['status'], abortedBy: LoadSummary['abortedBy'] = null) =>
  ({
    status,
    abortedBy,
    requests: 300,
    thresholds: [{ metric: 'http_req_duration', expr: 'p(99)<1', ok: false, value: 20 }],
  }) as unknown as LoadSummary;

describe('StoreOutput', () => {
  it('creates the run at start, appends every second, and finishes it with the summary', async () => {
    const { store } = await openStore(join(dir, 'a.db'), { create: true });
    let t = info.startMs;
    const out = new StoreOutput(store, {
      gitSha: 'abc',
      gitBranch: 'main',
      environment: 'ci',
      tags: { team: 'x' },
      now: () => (t += 1000),
    });
    await out.start(info);
    const id = out.runId as string;
    expect(await store.getRun(id)).toMatchObject({
      status: 'running',
      kind: 'load',
      gitSha: 'abc',
      environment: 'ci',
      tags: { team: 'x' },
    });
    out.write(second(0));
    out.write(second(1));
    out.write(second(2));
    await out.stop(summary('failed'));
    const run = await store.getRun(id);
    expect(run).toMatchObject({
      status: 'failed',
      windowCount: 3,
      plannedDurationMs: 3000,
      summary: { requests: 300 },
    });
    expect((await store.events(id)).map((e) => e.kind)).toEqual([
      'run.started',
      'threshold.failed',
      'run.finished',
    ]);
    await store.close();
  });

  it('records Ctrl-C as aborted (interrupted)', async () => {
    const { store } = await openStore(join(dir, 'b.db'), { create: true });
    const out = new StoreOutput(store);
    await out.start(info);
    out.write(second(0));
    await out.stop(summary('aborted', 'interrupted'));
    expect(await store.getRun(out.runId as string)).toMatchObject({
      status: 'aborted',
      abortReason: 'interrupted',
      windowCount: 1,
    });
    await store.close();
  });

  it('keeps the load going when the store fails, reporting the first error once', async () => {
    const { store } = await openStore(join(dir, 'c.db'), { create: true });
    const errors: unknown[] = [];
    const out = new StoreOutput(store, { onError: (e) => errors.push(e) });
    await out.start(info);
    await store.close();
    out.write(second(0));
    out.write(second(1));
    await out.stop(summary('passed'));
    expect(errors).toHaveLength(1);
    expect(out.error).toBe(errors[0]);
  });

  it('hashes what the test does, not its seed or workers', () => {
    const a = loadConfigFromFlags('http://127.0.0.1:9/', { vus: 2, duration: '3s', seed: 1, workers: 1 });
    const b = loadConfigFromFlags('http://127.0.0.1:9/', { vus: 2, duration: '3s', seed: 2, workers: 2 });
    const c = loadConfigFromFlags('http://127.0.0.1:9/', { vus: 3, duration: '3s' });
    expect(loadSpecHash(a)).toBe(loadSpecHash(b));
    expect(loadSpecHash(a)).not.toBe(loadSpecHash(c));
    expect(loadSpecHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('store flags', () => {
  it('parses --tag, with environment/env as the environment', () => {
    expect(parseTags(['team=checkout', 'env=staging', 'note=a=b'])).toEqual({
      tags: { team: 'checkout', note: 'a=b' },
      environment: 'staging',
    });
    expect(parseTags([], { SHAKEDOWN_ENVIRONMENT: 'prod' }).environment).toBe('prod');
    expect(() => parseTags(['oops'])).toThrow(/expected key=value/);
  });

  it('--no-store records nothing; otherwise the store is created where asked', async () => {
    const ctx = { env: {}, cwd: dir, stderr: { write: () => true } };
    expect(await storeOutputFor({ store: false }, ctx)).toBeUndefined();
    const s = await storeOutputFor({ store: 'sub/x.db', tag: ['k=v'] }, ctx);
    expect(s?.location).toBe(join(dir, 'sub', 'x.db'));
    expect(s?.message()).toBe('');
    await s?.close();
    const env = await storeOutputFor({}, { ...ctx, env: { SHAKEDOWN_STORE: join(dir, 'env.db') } });
    expect(env?.location).toBe(join(dir, 'env.db'));
    await env?.close();
  });
});
