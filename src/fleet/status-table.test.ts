import { describe, expect, it } from 'vitest';
import type { ReplicaStatus, ServiceStatus } from './status.js';
import { formatStatusTable } from './status-table.js';

const base: ReplicaStatus = {
  id: 'catalog-v1-0',
  service: 'catalog',
  version: 'v1',
  state: 'ready',
  pid: 4242,
  host: '127.0.0.1',
  port: 4001,
  url: 'http://127.0.0.1:4001',
  restarts: 0,
  startedAt: 1000,
  readyAt: 2000,
  lastExit: undefined,
  reason: undefined,
  logFile: '/x.log',
};

describe('formatStatusTable', () => {
  it('shows one aligned row per replica, uptime for ready ones and the reason for the others', () => {
    const services: ServiceStatus[] = [
      {
        name: 'catalog',
        versions: [
          {
            name: 'v1',
            desired: 2,
            ready: 1,
            replicas: [
              base,
              {
                ...base,
                id: 'catalog-v1-1',
                state: 'crash-loop',
                pid: undefined,
                restarts: 5,
                reason: 'crash loop: 6 short runs in a row (limit 5); last exit code 1',
              },
            ],
          },
          { name: 'v2', desired: 0, ready: 0, replicas: [] },
        ],
      },
      {
        name: 'cart',
        versions: [
          {
            name: 'v1',
            desired: 1,
            ready: 0,
            replicas: [
              {
                ...base,
                id: 'cart-v1-0',
                service: 'cart',
                state: 'backoff',
                pid: undefined,
                lastExit: { code: null, signal: 'SIGKILL', at: 0 },
              },
            ],
          },
        ],
      },
    ];
    const text = formatStatusTable(services, 92_000);
    expect(text.split('\n')).toEqual([
      'SERVICE  VERSION  REPLICA       STATE       PID   URL                    RESTARTS  UP',
      'catalog  v1       catalog-v1-0  ready       4242  http://127.0.0.1:4001  0         1m30s',
      'catalog  v1       catalog-v1-1  crash-loop  -     http://127.0.0.1:4001  5         crash loop: 6 short runs in a row (limit 5); last exit code 1',
      'cart     v1       cart-v1-0     backoff     -     http://127.0.0.1:4001  0         last exit SIGKILL',
      '',
    ]);
    expect(formatStatusTable(services, 92_000, { color: true })).toContain('\u001b[31mcrash-loop');
  });
});
