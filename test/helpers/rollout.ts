import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSink } from '../../src/core/event.js';
import { runLoadTest } from '../../src/load/engine.js';
import { loadConfigFromFlags } from '../../src/load/from-flags.js';
import type { LoadSummary } from '../../src/load/summary.js';
import { LocalPlatform } from '../../src/platform/local.js';
import { parseSpecText } from '../../src/spec/load-spec.js';
import { fixtureService } from './fleet.js';

/**
 * A small platform for rollout tests: the mesh (one listener) in front of service `api`,
 * whose v1 and v2 run the fleet's fixture replica (real processes) with their own env —
 * `RESPONSE_DELAY_MS` makes a version slower. v2 starts with 0 replicas and weight 0.
 */
export interface RolloutPlatform {
  platform: LocalPlatform;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startRolloutPlatform(
  opts: {
    v1Env?: Record<string, string>;
    v2Env?: Record<string, string>;
    replicas?: number;
    events?: EventSink;
  } = {},
): Promise<RolloutPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'shakedown-rollout-'));
  const env = (e: Record<string, string> = {}) => JSON.stringify(e);
  const yaml = `
mesh:
  drainTimeout: 5s
  listeners: [{ name: http, port: 0 }]
  services:
    api:
      loadBalancer: least-request
      versions: { v1: { weight: 100 }, v2: { weight: 0 } }
services:
  api:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixtureService)}]
    replicas: ${opts.replicas ?? 1}
    probes: { readiness: { http: /readyz, interval: 200ms } }
    stop: { grace: 3s, drainTimeout: 3s }
    versions:
      v1: { env: ${env(opts.v1Env)} }
      v2: { replicas: 0, env: ${env(opts.v2Env)} }
`;
  const spec = parseSpecText(yaml, join(dir, 'shakedown.yaml'), dir);
  const platform = await LocalPlatform.start(spec, {
    stateDir: join(dir, 'state'),
    readyTimeoutMs: 20_000,
    ...(opts.events ? { events: opts.events } : {}),
  });
  return { platform, url: platform.listenerUrl('http'), dir, stop: () => platform.stop() };
}

/** Constant-rate load on a URL until `signal` aborts (or `duration`); resolves with the summary. */
export async function loadUntil(
  url: string,
  rate: string,
  signal: AbortSignal,
  duration = '5m',
): Promise<LoadSummary> {
  const config = loadConfigFromFlags(url, {
    rate,
    duration,
    vus: 50,
    maxVus: 500,
    workers: 1,
    gracefulStop: '5s',
  });
  return (await runLoadTest(config, { signal })).summary;
}
