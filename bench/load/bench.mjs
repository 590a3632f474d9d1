#!/usr/bin/env node
// bench/load: the load generator against its peers, in one run on one machine.
//
// Part 1 — throughput: autocannon, wrk and `shakedown load` each drive the same local
// nginx (fast enough that the client is what is measured) with the same 100 keep-alive
// connections for the same duration, in alternating rounds; medians and ratios reported,
// with each client's peak RSS and CPU time per request.
// Part 2 — memory: `shakedown load` with 10,000 VUs (1 s think time) against the same
// server; peak RSS. Target ≤ 300 MB (k6 needs about 0.4–5 MB per VU).
//
// Usage: node bench/load/bench.mjs [--rounds 3] [--duration 10] [--vus-duration 20]
// Needs: npm run build; Debian packages wrk, nginx-light (or nginx) and time.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, machine, median, requirePrograms, root, timed, writeResultsSection } from '../lib.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    'vus-duration': { type: 'string', default: '20' },
    connections: { type: 'string', default: '100' },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const vusDurationS = Number(values['vus-duration']);

requirePrograms([
  { bin: 'wrk', pkg: 'wrk' },
  { bin: 'nginx', pkg: 'nginx-light' },
  { bin: '/usr/bin/time', pkg: 'time' },
]);

async function startNginx() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  mkdirSync(join(dir, 'logs'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { default_type text/plain; return 200 "hello, shakedown\\n"; }
  }
}
`,
  );
  const child = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') };
}

const shakedown = join(root, 'bin', 'shakedown.js');
const autocannonBin = join(root, 'node_modules', '.bin', 'autocannon');

const tools = {
  autocannon: async (url) => {
    const r = await timed(autocannonBin, ['-c', String(connections), '-d', String(durationS), '--json', url]);
    const j = JSON.parse(r.stdout);
    return { ...r, rps: j.requests.total / (j.duration || durationS), requests: j.requests.total };
  },
  wrk: async (url) => {
    const r = await timed('wrk', ['-t1', `-c${connections}`, `-d${durationS}s`, url]);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
    const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
    return { ...r, rps, requests };
  },
  'shakedown (1 worker)': async (url) => shakedownRun(url, 1),
  'shakedown (2 workers)': async (url) => shakedownRun(url, 2),
};

async function shakedownRun(url, workers) {
  const r = await timed(process.execPath, [
    shakedown,
    'load',
    url,
    '--vus',
    String(connections),
    '--duration',
    `${durationS}s`,
    '--workers',
    String(workers),
    '--json',
    '--quiet',
  ]);
  const j = JSON.parse(r.stdout);
  return { ...r, rps: j.requests / j.durationS, requests: j.requests };
}

const server = await startNginx();
try {
  const results = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const names = Object.keys(tools);
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const r = await tools[name](server.url);
      results[name].push(r);
      console.error(
        `round ${round + 1} ${name}: ${Math.round(r.rps)} req/s, peak RSS ${r.rssMiB.toFixed(0)} MiB`,
      );
    }
  }
  const rows = names.map((name) => {
    const rs = results[name];
    return {
      name,
      rps: median(rs.map((r) => r.rps)),
      all: rs.map((r) => Math.round(r.rps)),
      rssMiB: median(rs.map((r) => r.rssMiB)),
      cpuUsPerReq: median(rs.map((r) => (r.cpuS * 1e6) / r.requests)),
    };
  });
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  const sd = by['shakedown (1 worker)'];

  console.error('part 2: 10,000 VUs');
  const big = await timed(process.execPath, [
    shakedown,
    'load',
    server.url,
    '--vus',
    '10000',
    '--duration',
    `${vusDurationS}s`,
    '--think',
    '1s',
    '--workers',
    '1',
    '--json',
    '--quiet',
  ]);
  const bj = JSON.parse(big.stdout);

  const m = machine();
  const md = `## Load generator — \`bench/load\`

Command: \`npm run build && node bench/load/bench.mjs --rounds ${rounds} --duration ${durationS} --vus-duration ${vusDurationS}\`
Run on ${new Date().toISOString().slice(0, 10)}: ${m.cpu}, Node ${m.node}, ${m.nginx}, ${m.wrk}. Target: a local nginx
(one worker) returning a 17-byte body, so the clients, not the server, are measured. The machine's two cores are
shared by the server, the client and anything else running; rounds alternate the tools' order and medians are shown.

### Throughput, ${connections} keep-alive connections, ${durationS} s

| client | median req/s | rounds (req/s) | ratio to autocannon | ratio to wrk | peak RSS | CPU µs / request |
|---|---:|---|---:|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.name} | ${Math.round(r.rps)} | ${r.all.join(', ')} | ${(r.rps / by.autocannon.rps).toFixed(2)}× | ${(r.rps / by.wrk.rps).toFixed(2)}× | ${r.rssMiB.toFixed(0)} MiB | ${r.cpuUsPerReq.toFixed(1)} |`,
  )
  .join('\n')}

Shakedown (1 worker) / autocannon: **${(sd.rps / by.autocannon.rps).toFixed(2)}×** (target ≥ 1.0×). wrk is C with a
hand-written parser; Shakedown and autocannon are Node.js.

### Memory at 10,000 VUs

\`shakedown load <nginx> --vus 10000 --duration ${vusDurationS}s --think 1s --workers 1\`: peak RSS
**${big.rssMiB.toFixed(0)} MiB** (${((big.rssMiB * 1024) / 10000).toFixed(1)} KiB per VU; target ≤ 300 MB), VUs reached
${bj.vus}, ${bj.requests} requests at ${Math.round(bj.rps)} req/s, error rate ${(bj.errorRate * 100).toFixed(2)} %, p99
${bj.latencyMs.p99} ms. k6 documents about 0.4–5 MB per VU, i.e. 4–50 GB for 10,000 VUs.
`;
  const path = writeResultsSection('load', md);
  console.log(md);
  console.error(`written to ${path}`);
} finally {
  server.stop();
}
