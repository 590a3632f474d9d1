import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureService } from './fleet.js';

/**
 * A small platform for chaos tests: a mesh in front of `api` (the fleet fixture, two
 * replicas, fast probes and restarts) with a load scenario `users`. `chaos` is the body of
 * the spec's `chaos:` section.
 */
export function chaosSpecText(chaos: string, opts: { replicas?: number } = {}): string {
  return `version: 1
mesh:
  drainTimeout: 1s
  listeners: [{ name: public, port: 0 }]
  routes:
    - { name: api, match: { prefix: / }, service: api, timeout: 2s, retries: { attempts: 2, on: [connect-failure, reset, 5xx] } }
  services:
    api:
      versions: { v1: { weight: 100 } }
      healthCheck: { path: /readyz, interval: 500ms }
      outlierDetection: { consecutiveConnectErrors: 1, baseEjectionTime: 5s, maxEjectionPercent: 50% }
services:
  api:
    run: [node, ${JSON.stringify(fixtureService)}]
    replicas: ${opts.replicas ?? 2}
    probes: { readiness: { http: /readyz, interval: 200ms } }
    restart: { backoff: { initial: 50ms, max: 1s } }
    stop: { grace: 2s, drainTimeout: 1s }
load:
  scenarios:
    users:
      executor: constant-vus
      vus: 10
      duration: 1m
      think: 20ms
      requests: [{ url: / }]
chaos:
${chaos
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}

export function chaosStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'shakedown-chaos-'));
}
