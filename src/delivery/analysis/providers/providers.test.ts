import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/helpers/http-server.js';
import { recordUs } from '../../../core/histogram.js';
import { createRandom } from '../../../core/random.js';
import { createWindow, type Window } from '../../../core/window.js';
import type { MeasureContext } from './provider.js';
import { fillArgs, unknownArgs } from './provider.js';
import { providerRegistry } from './registry.js';

const t0 = 1_700_000_000_000;
const registry = providerRegistry();

function windows(): Window[] {
  const out: Window[] = [];
  for (let s = 0; s < 10; s++) {
    for (const [version, n, errors, ms] of [
      ['v1', 90, 0, 10],
      ['v2', 10, s < 5 ? 1 : 0, 20],
    ] as const) {
      const w = createWindow(t0 + s * 1000, 1000, { route: 'catalog', service: 'catalog', version });
      for (let i = 0; i < n; i++) recordUs(w.latencyUs, ms * 1000);
      w.counters.requests = n;
      w.counters.errors = errors;
      out.push(w);
    }
  }
  return out;
}

function ctx(over: Partial<MeasureContext> = {}): MeasureContext {
  const all = windows();
  return {
    service: 'catalog',
    stableVersion: 'v1',
    canaryVersion: 'v2',
    startMs: t0,
    endMs: t0 + 10_000,
    windows: async (since, until) => all.filter((w) => w.startMs >= since && w.startMs < until),
    random: createRandom(1),
    signal: new AbortController().signal,
    baseDir: process.cwd(),
    ...over,
  };
}

const make = (config: Record<string, unknown>) => {
  const plugin = registry.get(config.type as string);
  return plugin.create(plugin.schema.parse(config) as never);
};

describe('registry', () => {
  it('has the five providers', () => {
    expect(registry.types()).toEqual(['command', 'judge', 'mesh', 'prometheus', 'web']);
  });
});

describe('mesh provider', () => {
  it('reads success rate, error rate, latency and rps of the canary over the period', async () => {
    expect(await make({ type: 'mesh', metric: 'success_rate' }).measure(ctx())).toMatchObject({
      kind: 'value',
      value: 0.95,
      detail: { requests: 100, errors: 5, version: 'v2' },
    });
    const p99 = await make({ type: 'mesh', metric: 'latency_p99_ms', version: 'stable' }).measure(ctx());
    expect((p99 as { value: number }).value).toBeCloseTo(10, 1);
    expect(await make({ type: 'mesh', metric: 'rps' }).measure(ctx())).toMatchObject({ value: 10 });
    const later = await make({ type: 'mesh', metric: 'error_rate' }).measure(ctx({ startMs: t0 + 5000 }));
    expect(later).toMatchObject({ value: 0 });
  });
  it('no requests in the period is no data', async () => {
    const r = await make({ type: 'mesh', metric: 'success_rate' }).measure(
      ctx({ startMs: t0 + 60_000, endMs: t0 + 70_000 }),
    );
    expect(r).toEqual({ kind: 'no-data', message: 'no requests to catalog/v2 in the period' });
  });
  it('rejects unknown metrics when the spec loads', () => {
    expect(registry.get('mesh').schema.safeParse({ type: 'mesh', metric: 'p99' }).success).toBe(false);
  });
});

describe('judge provider', () => {
  it('fails a canary twice as slow, with its score and evidence', async () => {
    const r = await make({ type: 'judge' }).measure(ctx());
    expect(r.kind).toBe('phase');
    if (r.kind !== 'phase') return;
    expect(r.phase).toBe('failed');
    expect(r.message).toMatch(/^fail: /);
    expect(r.detail).toMatchObject({
      baselineVersion: 'v1',
      requests: { baseline: 900, canary: 100 },
      seconds: 10,
    });
  });
  it('no canary traffic is the no-data reading', async () => {
    const r = await make({ type: 'judge', baseline: 'v1' }).measure(ctx({ canaryVersion: 'v3' }));
    expect(r).toMatchObject({ kind: 'phase', noData: true });
  });
});

describe('web provider', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer((req, res) => {
      if (req.url === '/health/v2') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: 'ok', checks: [{ latencyMs: 12 }] }));
      } else if (req.url === '/text') res.end('plain');
      else {
        res.statusCode = 503;
        res.end();
      }
    });
  });
  afterAll(() => server.close());

  it('reads a JSON path, with {{canary}} in the URL', async () => {
    expect(
      await make({ type: 'web', url: `${server.url}/health/{{canary}}`, jsonPath: 'status' }).measure(ctx()),
    ).toMatchObject({ kind: 'value', value: 'ok', detail: { status: 200 } });
    expect(
      await make({ type: 'web', url: `${server.url}/health/v2`, jsonPath: '$.checks.0.latencyMs' }).measure(
        ctx(),
      ),
    ).toMatchObject({ value: 12 });
    expect(
      await make({ type: 'web', url: `${server.url}/health/v2`, jsonPath: 'nope' }).measure(ctx()),
    ).toMatchObject({
      kind: 'no-data',
    });
    await expect(
      make({ type: 'web', url: `${server.url}/text`, jsonPath: 'a' }).measure(ctx()),
    ).rejects.toThrow(/not JSON/);
    await expect(
      make({ type: 'web', url: `${server.url}/health/v2`, jsonPath: 'checks' }).measure(ctx()),
    ).rejects.toThrow(/an array, not a value/);
  });
  it('without a path the value is the status, and 2xx is the default success condition', async () => {
    const plugin = registry.get('web');
    const config = plugin.schema.parse({ type: 'web', url: `${server.url}/down` });
    expect(await plugin.create(config).measure(ctx())).toMatchObject({ value: 503 });
    expect(plugin.defaultSuccessCondition?.(config)).toBe('result >= 200 && result < 300');
  });
  it('refuses remote targets unless allowRemote, and unknown template names', async () => {
    await expect(make({ type: 'web', url: 'http://example.com/' }).measure(ctx())).rejects.toThrow(
      /loopback|remote/i,
    );
    expect(
      registry.get('web').schema.safeParse({ type: 'web', url: 'http://127.0.0.1/{{nope}}' }).success,
    ).toBe(false);
  });
});

describe('command provider', () => {
  it('exit 0 succeeds, otherwise fails, with the last line of output', async () => {
    const ok = await make({
      type: 'command',
      argv: [
        process.execPath,
        '-e',
        'console.log("smoke", process.argv[1], process.env.SHAKEDOWN_ROLLOUT_STABLE)',
        '{{canary}}',
      ],
    }).measure(ctx());
    expect(ok).toMatchObject({ kind: 'phase', phase: 'successful', value: 0 });
    expect((ok as { message: string }).message).toMatch(/exited 0: smoke v2 v1$/);
    const bad = await make({
      type: 'command',
      argv: [process.execPath, '-e', 'console.error("boom"); process.exit(3)'],
    }).measure(ctx());
    expect(bad).toMatchObject({ phase: 'failed', value: 3 });
    expect((bad as { message: string }).message).toMatch(/exited 3: boom$/);
  });
  it('a program that cannot start is an error (the check could not run)', async () => {
    await expect(make({ type: 'command', argv: ['/nonexistent/smoke'] }).measure(ctx())).rejects.toThrow(
      /ENOENT/,
    );
  });
  it('a timeout kills it and fails', async () => {
    const r = await make({
      type: 'command',
      argv: [process.execPath, '-e', 'setTimeout(() => {}, 10000)'],
      timeout: 200,
    }).measure(ctx());
    expect(r).toMatchObject({ phase: 'failed' });
    expect((r as { message: string }).message).toMatch(/killed by SIGTERM/);
  });
});

describe('template arguments', () => {
  it('fills known names and reports unknown ones', () => {
    expect(fillArgs('rate{version="{{canary}}",svc="{{service}}"}[{{interval}}]', ctx())).toBe(
      'rate{version="v2",svc="catalog"}[10s]',
    );
    expect(unknownArgs('{{canary}} {{foo}}')).toEqual(['foo']);
  });
});
