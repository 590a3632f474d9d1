import { Pool } from 'undici';
import { z } from 'zod';
import { recordUs } from '../../core/histogram.js';
import { createWindow, type Window } from '../../core/window.js';
import { durationMs, ratePerSec, strictObject } from '../../spec/types.js';
import type { SourcePlugin } from './source.js';
import { WindowSeries } from './window-series.js';

/**
 * A synthetic probe (like a blackbox exporter) measured into Shakedown's own Windows: it
 * sends requests to a URL at a fixed rate with keep-alive connections, one Window per
 * second keyed by the probe's name as `service`, latency counted from each request's
 * intended start (so a stalled service shows, no coordinated omission). A start that
 * finds `maxInFlight` requests outstanding is counted as a timeout failure. Windows are
 * turned into `shakedown_*` series (see {@link WindowSeries}). Loopback targets only
 * unless `allowRemote`.
 */
const schema = strictObject({
  type: z.literal('probe'),
  name: z.string().min(1),
  url: z.url({ error: () => 'expected the URL to probe' }),
  rate: ratePerSec.default(10),
  timeout: durationMs.default(5000),
  maxInFlight: z.number().int().positive().default(50),
  expect: z.array(z.number().int()).optional(),
  interval: durationMs.optional(),
  allowRemote: z.boolean().default(false),
});

const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

export const probeSource: SourcePlugin<z.output<typeof schema>> = {
  summary: 'probe a URL at a fixed rate into Shakedown windows (latency, errors)',
  schema,
  create: (c, ctx) => {
    const url = new URL(c.url);
    if (!c.allowRemote && !loopback.test(url.hostname)) {
      throw new Error(
        `probe ${c.name}: ${url.hostname} is not a loopback address (set allowRemote: true to probe it)`,
      );
    }
    const series = new WindowSeries(ctx.store);
    const pool = new Pool(url.origin, { connections: Math.min(c.maxInFlight, 16), pipelining: 1 });
    const windowMs = 1000;
    // Open windows in time order, with the requests started in each still outstanding.
    const windows = new Map<number, { w: Window; pending: number }>();
    let inFlight = 0;
    let timer: NodeJS.Timeout | undefined;
    let nextDueMs = 0;
    let stopped = false;
    const slotAt = (t: number) => {
      const start = Math.floor(t / windowMs) * windowMs;
      let slot = windows.get(start);
      if (!slot) {
        slot = { w: createWindow(start, windowMs, { service: c.name }), pending: 0 };
        windows.set(start, slot);
      }
      return slot;
    };
    const windowAt = (t: number) => slotAt(t).w;
    const ok = (status: number) => (c.expect ? c.expect.includes(status) : status >= 200 && status < 400);
    const fire = (dueMs: number) => {
      const w = windowAt(dueMs);
      w.counters.iterations++;
      if (inFlight >= c.maxInFlight) {
        w.counters.requests++;
        w.counters.errors++;
        w.counters.failures.timeout++;
        w.counters.droppedIterations++;
        return;
      }
      inFlight++;
      const slot = slotAt(dueMs);
      slot.pending++;
      const sentMono = ctx.clock.monotonicMs();
      const dueMono = sentMono - (ctx.clock.now() - dueMs);
      pool
        .request({
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headersTimeout: c.timeout,
          bodyTimeout: c.timeout,
        })
        .then(async (res) => {
          await res.body.dump();
          const end = ctx.clock.monotonicMs();
          const rw = windowAt(dueMs);
          rw.counters.requests++;
          recordUs(rw.latencyUs, (end - dueMono) * 1000);
          recordUs(rw.serviceTimeUs, (end - sentMono) * 1000);
          if (!ok(res.statusCode)) {
            rw.counters.errors++;
            rw.counters.failures[res.statusCode >= 500 ? 'status5xx' : 'status4xx']++;
          }
        })
        .catch((e: { code?: string }) => {
          const rw = windowAt(dueMs);
          rw.counters.requests++;
          rw.counters.errors++;
          const code = e.code ?? '';
          rw.counters.failures[
            code.includes('TIMEOUT')
              ? 'timeout'
              : code === 'ECONNREFUSED'
                ? 'connect'
                : code === 'ECONNRESET'
                  ? 'reset'
                  : 'other'
          ]++;
        })
        .finally(() => {
          inFlight--;
          slot.pending--;
        });
    };
    // Evenly spaced starts, caught up if the event loop was late (bounded to 1 s of starts).
    const loop = () => {
      if (stopped) return;
      const now = ctx.clock.now();
      const gapMs = 1000 / c.rate;
      if (nextDueMs < now - 1000) nextDueMs = now - 1000;
      while (nextDueMs <= now) {
        fire(nextDueMs);
        nextDueMs += gapMs;
      }
      timer = setTimeout(loop, Math.max(1, Math.min(gapMs, nextDueMs - ctx.clock.now())));
    };
    return {
      name: c.name,
      intervalMs: c.interval ?? Math.min(ctx.intervalMs, 1000),
      collect: async () => {
        if (timer === undefined && !stopped) {
          nextDueMs = ctx.clock.now();
          loop();
        }
        // Hand over, oldest first and in order, the windows that are over and whose
        // requests have all finished (or timed out).
        const now = ctx.clock.now();
        const cutoff = now - c.timeout - windowMs;
        const done: Window[] = [];
        for (const start of [...windows.keys()].sort((a, b) => a - b)) {
          const slot = windows.get(start) as { w: Window; pending: number };
          const end = start + windowMs;
          if (end > now || (slot.pending > 0 && end > cutoff)) break;
          windows.delete(start);
          done.push(slot.w);
        }
        series.write(done);
      },
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await pool.close();
      },
    };
  },
};
