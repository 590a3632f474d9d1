import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { createRandom } from '../../../core/random.js';
import { type Item, type RunnerHost, StageRunner } from './runner.js';
import type { StageContext, ToxicStage } from './types.js';

// The runner is driven here without sockets, on a manual clock, to pin down ordering and
// byte accounting exactly; the socket tests cover the same paths end to end.

function harness(makeStage: (ctx: StageContext) => ToxicStage) {
  const clock = new ManualClock();
  const out: string[] = [];
  const state = { held: 0, resets: 0, drained: 0, failures: [] as unknown[] };
  const host: RunnerHost = {
    clock,
    stream: 'downstream',
    hold: (n) => {
      state.held += n;
    },
    release: (n) => {
      state.held -= n;
    },
    reset: () => {
      state.resets++;
    },
    drained: () => {
      state.drained++;
    },
    fail: (e) => {
      state.failures.push(e);
    },
  };
  const sink = {
    accept: (item: Item) => {
      out.push(item.kind === 'data' ? item.chunk.data.toString() : item.close ? '<close>' : '<end>');
    },
  };
  const runner = new StageRunner(host, 1, makeStage, sink, createRandom(1));
  runner.start();
  const send = (s: string) => runner.accept({ kind: 'data', chunk: { data: Buffer.from(s), dueMs: 0 } });
  const tick = () => new Promise((r) => setImmediate(r));
  return { clock, out, state, runner, send, tick };
}

const delayStage =
  (ms: number) =>
  (ctx: StageContext): ToxicStage => ({
    async data(chunk, out) {
      await ctx.sleep(ms);
      out.push(chunk);
    },
  });

describe('StageRunner', () => {
  it('hands items over one at a time and accounts for the bytes it holds', async () => {
    const h = harness(delayStage(100));
    h.send('ab');
    h.send('cde');
    expect(h.state.held).toBe(5);
    h.clock.advance(100);
    await h.tick();
    expect(h.out).toEqual(['ab']);
    expect(h.state.held).toBe(3);
    h.clock.advance(100);
    await h.tick();
    expect(h.out).toEqual(['ab', 'cde']);
    expect(h.state.held).toBe(0);
  });

  it('on removal flushes what it holds without the delay, then passes the rest through in order', async () => {
    const h = harness(delayStage(10_000));
    h.send('1');
    h.send('2');
    h.runner.remove();
    await h.tick();
    h.send('3');
    h.runner.accept({ kind: 'end', close: false });
    await h.tick();
    expect(h.out).toEqual(['1', '2', '3', '<end>']);
    expect(h.state.drained).toBeGreaterThanOrEqual(1);
    expect(h.state.held).toBe(0);
  });

  it('drops what follows an end it emitted, and what a disposed stage would still push', async () => {
    const h = harness(() => ({
      data(chunk, out) {
        out.push(chunk);
        out.close();
      },
    }));
    h.send('x');
    h.send('y');
    expect(h.out).toEqual(['x', '<close>']);
    expect(h.state.held).toBe(0);
    const d = harness(delayStage(50));
    d.send('late');
    d.runner.dispose();
    await d.tick();
    expect(d.out).toEqual([]);
  });

  it('carries the close flag of an end through a stage that delays ends', async () => {
    const h = harness((ctx) => ({
      data(chunk, out) {
        out.push(chunk);
      },
      async end(out) {
        await ctx.sleep(30);
        out.end();
      },
    }));
    h.runner.accept({ kind: 'end', close: true });
    await h.tick();
    expect(h.out).toEqual([]);
    h.clock.advance(30);
    await h.tick();
    expect(h.out).toEqual(['<close>']);
  });

  it('reports a stage that throws instead of crashing', () => {
    const h = harness(() => ({
      data() {
        throw new Error('bug');
      },
    }));
    h.send('x');
    expect(h.state.failures).toHaveLength(1);
  });
});
