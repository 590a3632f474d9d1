import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../spec/load-spec.js';

const spec = (experiment: string) => `version: 1
chaos:
  experiments:
    e1:
${experiment
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`;

const errorOf = (text: string) => {
  try {
    parseSpecText(text, 'shakedown.yaml');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('the chaos: section', () => {
  it('reads an experiment: hypothesis, steps of every kind, rollbacks, abort, databases', () => {
    const { spec: s } = parseSpecText(
      spec(`hypothesis:
  interval: 500ms
  probes:
    - { name: available, type: slo, objective: 99.9% }
    - { type: metric, metric: p99, tolerance: "< 250ms", phases: [during] }
    - { type: http, url: /products }
load: { scenario: shoppers, vus: 2000 }
databases:
  orders: { type: postgres, listener: postgres, writes: { rate: 20/s } }
method:
  - fault: { type: replica-kill, service: catalog, select: one }
    every: 10s
    duration: 60s
  - wait: 2s
  - parallel:
      - fault: { type: latency, service: catalog, latency: 300ms, ttl: 2m }
        duration: 30s
      - action: { type: postgres-failover, database: orders }
rollbacks:
  - { type: scale, service: catalog, replicas: 2 }
abort:
  - { probe: { type: metric, metric: error_rate, tolerance: "< 5%" }, for: 10s }`),
    );
    const e = s.chaos?.experiments.e1;
    expect(e?.hypothesis.interval).toBe(500);
    expect(e?.hypothesis.probes[1]).toMatchObject({ type: 'metric', tolerance: { op: '<', value: 250 } });
    expect(e?.method[0]).toEqual({
      kind: 'fault',
      fault: { type: 'replica-kill', service: 'catalog', select: 'one', signal: 'SIGKILL' },
      durationMs: 60_000,
      everyMs: 10_000,
    });
    expect(e?.method[1]).toEqual({ kind: 'wait', durationMs: 2000 });
    expect(e?.method[2]).toMatchObject({
      kind: 'parallel',
      steps: [
        { kind: 'fault', durationMs: 30_000, fault: { ttl: 120_000, latency: 300 } },
        { kind: 'action' },
      ],
    });
    expect(e?.databases.orders).toEqual({
      type: 'postgres',
      listener: 'postgres',
      replication: 'synchronous',
      writes: { rate: 20 },
    });
    expect(e?.abort[0]?.for).toBe(10_000);
    expect(e?.before).toBe(5000);
    expect(e?.load).toEqual({ scenario: 'shoppers', vus: 2000, rampUp: 0 });
  });

  it('names file, line and column and what was expected', () => {
    const m = errorOf(
      spec(`method:
  - fault: { type: latencyy, service: catalog }
    duration: 1s`),
    );
    expect(m).toMatch(/shakedown\.yaml:6:\d+/);
    expect(m).toMatch(/unknown chaos fault "latencyy"; expected one of .*latency/);
  });

  it('wants a duration for faults that stay, a ttl no shorter than it, and sane tolerances', () => {
    expect(errorOf(spec('method:\n  - fault: { type: latency, service: c, latency: 1s }'))).toMatch(
      /expected a duration: how long the latency fault stays/,
    );
    expect(
      errorOf(
        spec('method:\n  - fault: { type: latency, service: c, latency: 1s, ttl: 5s }\n    duration: 10s'),
      ),
    ).toMatch(/ttl of at least the duration/);
    expect(
      errorOf(
        spec(
          'hypothesis:\n  probes: [{ type: metric, metric: p99, tolerance: "250ms" }]\nmethod: [{ wait: 1s }]',
        ),
      ),
    ).toMatch(/expected a comparison such as "< 250ms"/);
    expect(errorOf(spec('method:\n  - fault: { type: replica-kill, service: c, select: none }'))).toMatch(
      /invalid selector "none"/,
    );
    expect(
      errorOf(
        spec('method:\n  - fault: { type: latency, service: c, latency: 1s, color: red }\n    duration: 1s'),
      ),
    ).toMatch(/unknown key "color"/);
    expect(errorOf(spec('method: []'))).toMatch(/at least one step/);
    expect(
      errorOf(
        spec(
          'method:\n  - fault: { type: latency, service: c, latency: 1s }\n    every: 1s\n    duration: 5s',
        ),
      ),
    ).toMatch(/every repeats instant faults/);
  });

  it('checks that schedules name experiments', () => {
    const text = `version: 1
chaos:
  experiments:
    a: { method: [{ wait: 1s }] }
  schedules:
    gameday: { experiments: [a, b], every: 1h }
    both: { experiments: [a], every: 1h, cron: "* * * * *" }
`;
    const m = errorOf(text);
    expect(m).toMatch(/unknown experiment "b"/);
    expect(m).toMatch(/exactly one of every, cron/);
  });
});
