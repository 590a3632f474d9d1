#!/usr/bin/env node
// bench/mesh: the mesh data plane against its peers, in one run on one machine.
//
// One local nginx serves a 17-byte response. In front of it, each single-threaded: the
// Shakedown mesh (`shakedown mesh`, one route, one service, default retries), HAProxy
// (Debian package, nbthread 1, keep-alive and connection reuse to the upstream) and the
// `http-proxy` npm package (keep-alive agent). "direct" is nginx itself.
// Part 1 — throughput: wrk, the same connections and duration against each target, rounds
// alternating the order; median req/s, ratios, and each proxy's CPU time per request.
// Part 2 — added latency: `shakedown load` at a constant 1,000 requests/s (open model,
// latency from the intended start, as wrk2) against each target; the p50 / p99 each proxy
// adds over the direct connection.
//
// Usage: node bench/mesh/bench.mjs [--rounds 3] [--duration 10] [--connections 50] [--rate 1000]
//        [--latency-duration 10] [--only latency|throughput (explore; RESULTS.md untouched)]
// Needs: npm run build; Debian packages haproxy, nginx-light (or nginx), wrk.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  freePort,
  machine,
  median,
  processCpuSeconds,
  requirePrograms,
  root,
  startNginx,
  writeResultsSection,
} from '../lib.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '1000' },
    'latency-duration': { type: 'string', default: '10' },
    // Exploration only: measure one part and print it, without writing RESULTS.md.
    only: { type: 'string' },
  },
});
const only = values.only;
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const rate = Number(values.rate);
const latencyDurationS = Number(values['latency-duration']);

requirePrograms([
  { bin: 'wrk', pkg: 'wrk' },
  { bin: 'nginx', pkg: 'nginx-light' },
  { bin: 'haproxy', pkg: 'haproxy' },
]);

// What the figures mean, kept with the script so a re-run keeps the explanation.
const NOTES = `
**Reading the figures.** The mesh parses and writes HTTP/1.1 itself (src/mesh/http1: a
strict request-head scanner, body framing both ways and its own keep-alive upstream pool
on raw \`net\` sockets) instead of going through node:http and undici, and that is what
moved it past the bare node:http + undici reference, which does no routing, retries or
statistics and still needs far more CPU per request (table). The ≥ 0.6× HAProxy target is
met, but narrowly: single rounds fall on either side of 0.6× on this shared machine, so a
re-run can too. HAProxy still needs clearly less CPU per request; over half of the mesh's
is kernel time for loopback TCP (perf; strace counts two reads and two writes per
request, the least a proxy can do), and its user time is spread thin, no function above
2 % (Node's event loop and stream glue, building head strings, the route timeout's
timer, the retry wrapper, x-request-id, statistics and windows). Added latency is
dominated by the two extra loopback hops (wake-ups on a shared 2-core VM), which every
proxy pays; it moves by ±0.1 ms between runs with the machine's load, so the ≤ 0.2 ms
added p50 is met in some runs and missed in others. The added service time (send to response end, without the
client's timer lateness) is steadier, and stays about 0.05 ms above HAProxy's.
`;

const shakedown = join(root, 'bin', 'shakedown.js');
const work = mkdtempSync(join(tmpdir(), 'bench-mesh-'));

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Spawns a long-running server and resolves once `ready(stdout)` returns its port. */
function startServer(cmd, args, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${err}`)), 15_000);
    const check = () => {
      const port = ready(out);
      if (port) {
        clearTimeout(timer);
        resolve({ port, pid: child.pid, stop: () => child.kill('SIGTERM') });
      }
    };
    child.stdout.on('data', (d) => {
      out += d;
      check();
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited ${code}: ${err}`));
    });
  });
}

async function startShakedown(upstreamPort) {
  const spec = join(work, 'shakedown.yaml');
  writeFileSync(
    spec,
    `version: 1
mesh:
  services:
    bench:
      versions:
        v1: { weight: 1, endpoints: ["127.0.0.1:${upstreamPort}"] }
`,
  );
  return startServer(
    process.execPath,
    [shakedown, 'mesh', spec, '--json', '--quiet', '--no-admin'],
    (out) => {
      const line = out.split('\n').find((l) => l.includes('"started"'));
      return line ? Number(new URL(JSON.parse(line).listeners[0].url).port) : 0;
    },
  );
}

async function startHaproxy(upstreamPort) {
  const port = await freePort();
  const cfg = join(work, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global
  nbthread 1
  maxconn 8000
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 1s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server s1 127.0.0.1:${upstreamPort}
`,
  );
  const child = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  await new Promise((r) => setTimeout(r, 500));
  if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}: ${err}`);
  return { port, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

async function startBareNode(upstreamPort) {
  return startServer(
    process.execPath,
    [join(root, 'bench', 'mesh', 'bare-proxy.mjs'), `http://127.0.0.1:${upstreamPort}`],
    (out) => {
      const line = out.split('\n').find((l) => l.includes('"port"'));
      return line ? JSON.parse(line).port : 0;
    },
  );
}

async function startHttpProxy(upstreamPort) {
  return startServer(
    process.execPath,
    [join(root, 'bench', 'mesh', 'http-proxy-server.mjs'), `http://127.0.0.1:${upstreamPort}`],
    (out) => {
      const line = out.split('\n').find((l) => l.includes('"port"'));
      return line ? JSON.parse(line).port : 0;
    },
  );
}

async function wrk(port, seconds) {
  const r = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, `http://127.0.0.1:${port}/`]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  const sockErr = /Socket errors: (.*)/.exec(r.stdout);
  return { rps, requests, errors: errors ? Number(errors[1]) : 0, socketErrors: sockErr?.[1] ?? '' };
}

async function constantRate(port, seconds) {
  const r = await run(process.execPath, [
    shakedown,
    'load',
    `http://127.0.0.1:${port}/`,
    '--rate',
    `${rate}/s`,
    '--duration',
    `${seconds}s`,
    '--vus',
    '20',
    '--max-vus',
    '200',
    '--workers',
    '1',
    '--json',
    '--quiet',
  ]);
  const j = JSON.parse(r.stdout);
  return {
    p50: j.latencyMs.p50,
    p99: j.latencyMs.p99,
    st50: j.serviceTimeMs.p50,
    st99: j.serviceTimeMs.p99,
    errors: j.errors,
    requests: j.requests,
    rps: j.rps,
  };
}

const nginx = await startNginx();
const targets = {};
// Never leave a server behind, whatever happens to this process.
process.on('exit', () => {
  for (const t of Object.values(targets)) t.stop();
  nginx.stop();
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
try {
  targets.direct = { port: nginx.port, pid: nginx.pid, stop: () => {} };
  targets.shakedown = await startShakedown(nginx.port);
  targets.haproxy = await startHaproxy(nginx.port);
  targets['http-proxy'] = await startHttpProxy(nginx.port);
  targets['bare node (reference)'] = await startBareNode(nginx.port);
  const names = Object.keys(targets);

  console.error('warm-up');
  for (const name of names) await wrk(targets[name].port, 2);

  const thr = Object.fromEntries(names.map((n) => [n, []]));
  const lat = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of only === 'latency' ? [] : order) {
      const t = targets[name];
      const cpu0 = name === 'direct' ? 0 : processCpuSeconds(t.pid);
      const r = await wrk(t.port, durationS);
      const cpu = name === 'direct' ? 0 : processCpuSeconds(t.pid) - cpu0;
      thr[name].push({ ...r, cpuUsPerReq: r.requests ? (cpu * 1e6) / r.requests : 0 });
      console.error(
        `round ${round + 1} throughput ${name}: ${Math.round(r.rps)} req/s${r.errors ? `, ${r.errors} non-2xx` : ''}`,
      );
    }
    for (const name of only === 'throughput' ? [] : order) {
      const r = await constantRate(targets[name].port, latencyDurationS);
      lat[name].push(r);
      console.error(
        `round ${round + 1} latency ${name} @${rate}/s: p50 ${r.p50} ms, p99 ${r.p99} ms; service time p50 ${r.st50} ms, p99 ${r.st99} ms; errors ${r.errors}`,
      );
    }
  }

  if (only) console.log(JSON.stringify({ throughput: thr, latency: lat }, null, 1));
  else await report(names, thr, lat);
} finally {
  for (const t of Object.values(targets)) t.stop();
  nginx.stop();
}

async function report(names, thr, lat) {
  const row = (name) => ({
    name,
    rps: median(thr[name].map((r) => r.rps)),
    all: thr[name].map((r) => Math.round(r.rps)),
    errors: thr[name].reduce((s, r) => s + r.errors, 0),
    cpu: median(thr[name].map((r) => r.cpuUsPerReq)),
    p50: median(lat[name].map((r) => r.p50)),
    p99: median(lat[name].map((r) => r.p99)),
    st50: median(lat[name].map((r) => r.st50)),
    st99: median(lat[name].map((r) => r.st99)),
    latErrors: lat[name].reduce((s, r) => s + r.errors, 0),
  });
  const rows = Object.fromEntries(names.map((n) => [n, row(n)]));
  const sd = rows.shakedown;
  const ratioHa = sd.rps / rows.haproxy.rps;
  const ratioHp = sd.rps / rows['http-proxy'].rps;
  const added = (n, k) => rows[n][k] - rows.direct[k];
  const fmt = (x) => x.toFixed(3);
  const m = machine();
  const haproxyVersion = (await run('haproxy', ['-v'])).stdout.split('\n')[0];
  const md = `## Mesh data plane — \`bench/mesh\`

Command: \`npm run build && node bench/mesh/bench.mjs --rounds ${rounds} --duration ${durationS} --connections ${connections} --rate ${rate} --latency-duration ${latencyDurationS}\`
Run on ${new Date().toISOString().slice(0, 10)}: ${m.cpu}, Node ${m.node}, ${haproxyVersion}, ${m.nginx}, ${m.wrk}.
**The machine has 2 cores, shared** by nginx (upstream, one worker), the proxy, the load
generator and whatever else runs at the time, so absolute figures are low and noisy; every
target is measured in the same run, rounds alternate the order and medians are shown.
Every proxy runs single-threaded: \`shakedown mesh\` (one Node.js thread, default route
with retries, timeout, stats and windows), HAProxy with \`nbthread 1\` and \`http-reuse
always\`, \`http-proxy\` with a keep-alive agent. "bare node" is a reference, not a
product: the least a proxy on node:http + undici can do (bench/mesh/bare-proxy.mjs: no
routing, rewriting, timeouts, retries or statistics), to separate the mesh's own cost from
Node's. The upstream answers a 17-byte body.

### Throughput: wrk, ${connections} keep-alive connections, ${durationS} s per round

| target | median req/s | rounds (req/s) | ratio to HAProxy | ratio to http-proxy | proxy CPU µs / request | non-2xx |
|---|---:|---|---:|---:|---:|---:|
${names
  .map((n) => {
    const r = rows[n];
    return `| ${n} | ${Math.round(r.rps)} | ${r.all.join(', ')} | ${(r.rps / rows.haproxy.rps).toFixed(2)}× | ${(r.rps / rows['http-proxy'].rps).toFixed(2)}× | ${n === 'direct' ? '—' : r.cpu.toFixed(1)} | ${r.errors} |`;
  })
  .join('\n')}

Shakedown / HAProxy: **${ratioHa.toFixed(2)}×** (target ≥ 0.6×) — ${ratioHa >= 0.6 ? 'met' : 'missed'}.
Shakedown / http-proxy: **${ratioHp.toFixed(2)}×** (target ≥ 1.3×) — ${ratioHp >= 1.3 ? 'met' : 'missed'}.

### Added latency at a constant ${rate} requests/s (\`shakedown load --rate ${rate}/s\`, ${latencyDurationS} s per round)

Latency counts from each request's intended start (no coordinated omission, as wrk2), so
it includes the client's own timer lateness (common to all targets); service time is send
to response end. "Added" is the target's median minus the direct connection's median.

| target | p50 ms | p99 ms | added p50 ms | added p99 ms | service p50 ms | added service p50 ms | added service p99 ms | errors |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${names
  .map((n) => {
    const r = rows[n];
    const d = n === 'direct';
    return `| ${n} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${d ? '—' : fmt(added(n, 'p50'))} | ${d ? '—' : fmt(added(n, 'p99'))} | ${fmt(r.st50)} | ${d ? '—' : fmt(added(n, 'st50'))} | ${d ? '—' : fmt(added(n, 'st99'))} | ${r.latErrors} |`;
  })
  .join('\n')}

Shakedown's added p50: **${fmt(added('shakedown', 'p50'))} ms** (target ≤ 0.2 ms) — ${added('shakedown', 'p50') <= 0.2 ? 'met' : 'missed'}; added service-time p50 ${fmt(added('shakedown', 'st50'))} ms (HAProxy ${fmt(added('haproxy', 'st50'))} ms, bare node ${fmt(added('bare node (reference)', 'st50'))} ms).
${NOTES}`;
  const path = writeResultsSection('mesh', md);
  console.log(md);
  console.error(`written to ${path}`);
}
