// Helpers shared by the bench scripts: running a command with its peak RSS and CPU time
// (GNU time), free ports, medians, and replacing one marked section of bench/RESULTS.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../', import.meta.url).pathname;

/** Exits with a clear message when a required program is missing. */
export function requirePrograms(programs) {
  const missing = programs.filter(({ bin }) => spawnSync('sh', ['-c', 'command -v "$0"', bin]).status !== 0);
  if (missing.length) {
    console.error(`missing programs: ${missing.map((m) => m.bin).join(', ')}`);
    console.error(
      `install them with: apt-get install -y ${[...new Set(missing.map((m) => m.pkg))].join(' ')}`,
    );
    process.exit(4);
  }
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs `cmd args` under GNU time; resolves with stdout, stderr, peak RSS (KiB) and CPU seconds. */
export function timed(cmd, args, opts = {}) {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'time');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S %e', '-o', out, cmd, ...args], {
      cwd: opts.cwd ?? root,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const [rssKiB, user, sys, elapsed] = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .pop()
        .split(' ')
        .map(Number);
      resolve({ code, stdout, stderr, rssMiB: rssKiB / 1024, cpuS: user + sys, elapsedS: elapsed });
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function machine() {
  const v = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0];
  };
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    node: process.version,
    nginx: v('nginx', ['-v']),
    wrk: v('wrk', ['-v']),
  };
}

/** Replaces (or appends) the section between `<!-- bench:NAME:start -->` and its end marker. */
export function writeResultsSection(name, markdown) {
  const path = join(root, 'bench', 'RESULTS.md');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let text = existsSync(path)
    ? readFileSync(path, 'utf8')
    : '# Benchmark results\n\nEvery figure here comes from a script under `bench/` that runs the peer and Shakedown in the same run on the same machine; each section gives its exact command.\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
  // Tables are written plainly; the project's formatter aligns them, so that `npm run lint`
  // (which checks Markdown too) passes after a re-run.
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) spawnSync(biome, ['format', '--write', path], { stdio: 'ignore' });
  return path;
}

/**
 * Starts a local nginx (one worker, keep-alive, access log off) answering every request
 * with a 17-byte body, so the client or proxy in front of it is what gets measured.
 */
export async function startNginx() {
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
  return { url: `http://127.0.0.1:${port}/`, port, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
