import { afterEach, describe, expect, it } from 'vitest';
import { recordUs, summarizeMs } from '../../src/core/histogram.js';
import { createWindow, decodeWindow, type EncodedWindow, encodeWindow } from '../../src/core/window.js';
import { exportRun, parseRunExport } from '../../src/store/export-format.js';
import { latestSchemaVersion } from '../../src/store/migrations.js';
import { type LivenessContext, recoverAbandonedRuns } from '../../src/store/recovery.js';
import type { ResultsStore } from '../../src/store/types.js';

/**
 * The store contract: what every ResultsStore backend must do, run against each backend
 * (store-sqlite.test.ts, store-postgres.test.ts). `fresh()` gives an empty store;
 * `reopen(s)` a second store object on the same database (another connection).
 */
export interface StoreFactory {
  fresh(): Promise<ResultsStore>;
  reopen(store: ResultsStore): Promise<ResultsStore>;
}

const T0 = 1_780_000_000_000;

function window(i: number, key = { scenario: 'browse', request: 'home' }, latencyMs = 10): EncodedWindow {
  const w = createWindow(T0 + i * 1000, 1000, key);
  for (let k = 0; k < 50; k++) recordUs(w.latencyUs, (latencyMs + (k % 10)) * 1000);
  recordUs(w.serviceTimeUs, latencyMs * 900);
  w.counters.requests = 50;
  w.counters.iterations = 50;
  w.counters.errors = i % 2;
  w.counters.failures.status5xx = i % 2;
  return encodeWindow(w);
}

const liveness = (over: Partial<LivenessContext> = {}): LivenessContext => ({
  nowMs: T0 + 60_000,
  host: 'here',
  isAlive: () => true,
  staleAfterMs: 30_000,
  pidReuseAfterMs: 600_000,
  ...over,
});

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`ResultsStore contract: ${name}`, () => {
    const open: ResultsStore[] = [];
    const fresh = async () => {
      const s = await factory.fresh();
      open.push(s);
      return s;
    };
    const reopen = async (s: ResultsStore) => {
      const r = await factory.reopen(s);
      open.push(r);
      return r;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
    });

    it('migrates a fresh database to the latest schema, once', async () => {
      const s = await fresh();
      expect(await s.schemaVersion()).toBe(latestSchemaVersion);
      await s.createRun({ kind: 'load', startMs: T0 });
      const again = await reopen(s);
      expect(await again.schemaVersion()).toBe(latestSchemaVersion);
      expect(await again.listRuns()).toHaveLength(1);
    });

    it('creates a running run with its tags and finds it by id or unique prefix', async () => {
      const s = await fresh();
      const r = await s.createRun({
        kind: 'load',
        startMs: T0,
        specHash: 'abc',
        gitSha: 'deadbeef',
        gitBranch: 'main',
        environment: 'staging',
        tags: { team: 'checkout', build: '42' },
        plannedDurationMs: 15_000,
        pid: 4242,
        host: 'here',
        meta: { target: 'http://127.0.0.1:1/' },
      });
      expect(r.id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
      expect(r).toMatchObject({
        kind: 'load',
        status: 'running',
        specHash: 'abc',
        gitSha: 'deadbeef',
        gitBranch: 'main',
        environment: 'staging',
        tags: { build: '42', team: 'checkout' },
        startMs: T0,
        endMs: null,
        heartbeatMs: T0,
        plannedDurationMs: 15_000,
        pid: 4242,
        host: 'here',
        summary: null,
        meta: { target: 'http://127.0.0.1:1/' },
        windowCount: 0,
        eventCount: 0,
      });
      expect(await s.getRun(r.id)).toEqual(r);
      expect((await s.findRun(r.id.slice(0, 12)))?.id).toBe(r.id);
      expect(await s.findRun('nope')).toBeUndefined();
      await s.createRun({ id: `${r.id.slice(0, 12)}zz`, kind: 'load', startMs: T0 });
      await expect(s.findRun(r.id.slice(0, 12))).rejects.toMatchObject({ code: 'E_RUN_AMBIGUOUS' });
      await expect(s.createRun({ id: 'bad id!', kind: 'load', startMs: T0 })).rejects.toMatchObject({
        code: 'E_RUN_ID',
      });
    });

    it('appends windows in order, round-trips histograms exactly and refreshes the heartbeat', async () => {
      const s = await fresh();
      const r = await s.createRun({ kind: 'load', startMs: T0 });
      const ws = Array.from({ length: 6 }, (_, i) => window(i));
      await s.appendWindows(r.id, ws.slice(0, 3), T0 + 3000);
      await s.appendWindows(r.id, ws.slice(3), T0 + 6000);
      const back = await s.windows(r.id);
      expect(back).toEqual(ws);
      expect(summarizeMs(decodeWindow(back[2] as EncodedWindow).latencyUs)).toEqual(
        summarizeMs(decodeWindow(ws[2] as EncodedWindow).latencyUs),
      );
      const rec = await s.getRun(r.id);
      expect(rec?.heartbeatMs).toBe(T0 + 6000);
      expect(rec?.windowCount).toBe(6);
      await expect(s.appendWindows('missing', ws)).rejects.toMatchObject({ code: 'E_RUN_NOT_FOUND' });
    });

    it('keeps order when appends are issued concurrently', async () => {
      const s = await fresh();
      const r = await s.createRun({ kind: 'load', startMs: T0 });
      await Promise.all(Array.from({ length: 8 }, (_, i) => s.appendWindows(r.id, [window(i)])));
      expect((await s.windows(r.id)).map((w) => w.startMs)).toEqual(
        Array.from({ length: 8 }, (_, i) => T0 + i * 1000),
      );
    });

    it('appends and reads events', async () => {
      const s = await fresh();
      const r = await s.createRun({ kind: 'chaos', startMs: T0 });
      const evs = [
        {
          t: T0 + 1,
          kind: 'fault.injected',
          source: 'chaos',
          subject: 'latency-1',
          data: { latencyMs: 200 },
        },
        { t: T0 + 2, kind: 'fault.reverted', source: 'chaos', subject: 'latency-1', data: {} },
      ];
      await s.appendEvents(r.id, evs.slice(0, 1));
      await s.appendEvents(r.id, evs.slice(1));
      expect(await s.events(r.id)).toEqual(evs);
      expect((await s.getRun(r.id))?.eventCount).toBe(2);
    });

    it('finishes a run with status, end and summary', async () => {
      const s = await fresh();
      const r = await s.createRun({ kind: 'load', startMs: T0 });
      await s.finishRun(r.id, {
        status: 'failed',
        endMs: T0 + 9000,
        summary: { requests: 5, nested: { a: [1] } },
      });
      expect(await s.getRun(r.id)).toMatchObject({
        status: 'failed',
        endMs: T0 + 9000,
        summary: { requests: 5, nested: { a: [1] } },
        abortReason: null,
      });
      await s.finishRun(r.id, {
        status: 'aborted',
        endMs: T0 + 9500,
        summary: null,
        abortReason: 'interrupted',
      });
      expect((await s.getRun(r.id))?.abortReason).toBe('interrupted');
      await expect(
        s.finishRun('missing', { status: 'passed', endMs: 0, summary: null }),
      ).rejects.toMatchObject({
        code: 'E_RUN_NOT_FOUND',
      });
    });

    it('lists runs newest first and filters by kind, status, branch, environment, tags, time and limit', async () => {
      const s = await fresh();
      const a = await s.createRun({ kind: 'load', startMs: T0, gitBranch: 'main', tags: { team: 'x' } });
      const b = await s.createRun({ kind: 'load', startMs: T0 + 1000, gitBranch: 'dev', environment: 'ci' });
      const c = await s.createRun({
        kind: 'chaos',
        startMs: T0 + 2000,
        gitBranch: 'main',
        tags: { team: 'y' },
      });
      await s.finishRun(a.id, { status: 'passed', endMs: T0 + 500, summary: null });
      const ids = async (q: Parameters<ResultsStore['listRuns']>[0]) =>
        (await s.listRuns(q)).map((r) => r.id);
      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({ order: 'asc' })).toEqual([a.id, b.id, c.id]);
      expect(await ids({ kind: 'load' })).toEqual([b.id, a.id]);
      expect(await ids({ status: 'passed' })).toEqual([a.id]);
      expect(await ids({ gitBranch: 'main' })).toEqual([c.id, a.id]);
      expect(await ids({ environment: 'ci' })).toEqual([b.id]);
      expect(await ids({ tags: { team: 'y' } })).toEqual([c.id]);
      expect(await ids({ tags: { team: 'y', other: '1' } })).toEqual([]);
      expect(await ids({ sinceMs: T0 + 1000 })).toEqual([c.id, b.id]);
      expect(await ids({ limit: 1 })).toEqual([c.id]);
    });

    it('sets, replaces and lists named baselines', async () => {
      const s = await fresh();
      const a = await s.createRun({ kind: 'load', startMs: T0 });
      const b = await s.createRun({ kind: 'load', startMs: T0 + 1 });
      expect(await s.setBaseline('main', a.id, T0 + 10)).toEqual({
        name: 'main',
        runId: a.id,
        setAtMs: T0 + 10,
      });
      await s.setBaseline('release', a.id, T0 + 11);
      await s.setBaseline('main', b.id, T0 + 12);
      expect(await s.getBaseline('main')).toEqual({ name: 'main', runId: b.id, setAtMs: T0 + 12 });
      expect((await s.listBaselines()).map((x) => x.name)).toEqual(['main', 'release']);
      expect(await s.getBaseline('none')).toBeUndefined();
      await expect(s.setBaseline('x', 'missing', 0)).rejects.toMatchObject({ code: 'E_RUN_NOT_FOUND' });
    });

    it('exports a run and imports it into another store; importing twice is refused', async () => {
      const s = await fresh();
      const r = await s.createRun({ kind: 'load', startMs: T0, gitSha: 'abc', tags: { k: 'v' } });
      await s.appendWindows(r.id, [window(0), window(1, { scenario: 'buy', request: 'pay' }, 30)]);
      await s.appendEvents(r.id, [{ t: T0, kind: 'run.started', source: 'load', subject: r.id, data: {} }]);
      await s.finishRun(r.id, { status: 'passed', endMs: T0 + 2000, summary: { requests: 100 } });
      const exported = parseRunExport(
        JSON.parse(JSON.stringify(await exportRun(s, (await s.getRun(r.id)) as never))),
        'x',
      );
      const other = await fresh();
      const imported = await other.importRun(exported);
      const { windowCount, eventCount, ...rest } = (await s.getRun(r.id)) as NonNullable<
        Awaited<ReturnType<ResultsStore['getRun']>>
      >;
      expect(imported).toMatchObject({ ...rest, pid: null, windowCount, eventCount });
      expect(await other.windows(r.id)).toEqual(await s.windows(r.id));
      expect(await other.events(r.id)).toEqual(await s.events(r.id));
      await expect(other.importRun(exported)).rejects.toMatchObject({ code: 'E_RUN_EXISTS' });
      const running = {
        ...exported,
        run: { ...exported.run, id: 'still-running', status: 'running' as const },
      };
      expect(await other.importRun(running)).toMatchObject({
        status: 'aborted',
        abortReason: 'exported-while-running',
      });
    });

    it('marks runs whose process is gone as aborted, keeping their windows, and leaves live ones', async () => {
      const s = await fresh();
      const dead = await s.createRun({ kind: 'load', startMs: T0, pid: 111, host: 'here' });
      const alive = await s.createRun({ kind: 'load', startMs: T0, pid: 222, host: 'here' });
      const remoteStale = await s.createRun({ kind: 'load', startMs: T0, pid: 333, host: 'elsewhere' });
      const remoteFresh = await s.createRun({ kind: 'load', startMs: T0, pid: 444, host: 'elsewhere' });
      const finished = await s.createRun({ kind: 'load', startMs: T0, pid: 111, host: 'here' });
      await s.finishRun(finished.id, { status: 'passed', endMs: T0 + 1, summary: null });
      await s.appendWindows(dead.id, [window(0), window(1)], T0 + 2000);
      await s.heartbeat(alive.id, T0 + 59_000);
      await s.heartbeat(remoteFresh.id, T0 + 55_000);
      const other = await reopen(s);
      const got = await recoverAbandonedRuns(other, liveness({ isAlive: (pid) => pid !== 111 }));
      expect(got.map((r) => r.id).sort()).toEqual([dead.id, remoteStale.id].sort());
      const d = await s.getRun(dead.id);
      expect(d).toMatchObject({
        status: 'aborted',
        abortReason: 'process-exited',
        endMs: T0 + 2000,
        windowCount: 2,
      });
      expect(d?.summary).toMatchObject({ recovered: true, windows: 2, requests: 100, errors: 1 });
      expect((await s.getRun(remoteStale.id))?.abortReason).toBe('heartbeat-lost');
      expect((await s.getRun(alive.id))?.status).toBe('running');
      expect((await s.getRun(remoteFresh.id))?.status).toBe('running');
      expect((await s.getRun(finished.id))?.status).toBe('passed');
      // A live pid that has been silent for too long is a reused pid.
      const reused = await recoverAbandonedRuns(s, liveness({ nowMs: T0 + 3_600_000 }));
      expect(reused.map((r) => r.id).sort()).toEqual([alive.id, remoteFresh.id].sort());
    });

    it('two connections write to the same database', async () => {
      const s = await fresh();
      const t = await reopen(s);
      const a = await s.createRun({ kind: 'load', startMs: T0 });
      const b = await t.createRun({ kind: 'load', startMs: T0 + 1 });
      await Promise.all([s.appendWindows(a.id, [window(0), window(1)]), t.appendWindows(b.id, [window(0)])]);
      expect((await t.getRun(a.id))?.windowCount).toBe(2);
      expect((await s.getRun(b.id))?.windowCount).toBe(1);
    });
  });
}
