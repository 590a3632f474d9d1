import { request } from 'node:http';
import { connect } from 'node:net';
import type { ProbeDefinition } from './definition.js';

/**
 * Runs one probe against a replica: an HTTP GET of the path (2xx and 3xx pass) or a TCP
 * connect. Each check opens a fresh connection (no keep-alive), as kubelet does, so a
 * replica that stopped accepting connections fails even if an old one still works.
 * Resolves `true`/`false`, never rejects; `timeoutMs` bounds the whole check.
 */
export function checkProbe(probe: ProbeDefinition, host: string, port: number): Promise<boolean> {
  return probe.kind === 'http'
    ? checkHttp(host, port, probe.path ?? '/', probe.timeoutMs)
    : checkTcp(host, port, probe.timeoutMs);
}

function checkHttp(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok);
    };
    const req = request(
      {
        host,
        port,
        path,
        method: 'GET',
        agent: false,
        headers: { connection: 'close', 'user-agent': 'shakedown-probe' },
      },
      (res) => {
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400;
        res.resume();
        res.once('end', () => done(ok));
        res.once('error', () => done(false));
      },
    );
    const timer = setTimeout(() => done(false), timeoutMs);
    req.once('error', () => done(false));
    req.end();
  });
}

function checkTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    }
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
