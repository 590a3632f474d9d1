import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Stress processes tied to a replica: `stress-ng` when it is installed (unless the
 * builtin burner is asked for), else a burner of our own (`node -e`). Each runs in its own
 * process group, tagged in its environment with the fault id (so `chaos stop` finds it in
 * /proc even if the journal's controller died before noting its pid), with the replica's
 * CPU affinity (via taskset) and, as root, in the replica's cgroups — so it competes with
 * that replica for the CPUs and memory limits it has, as Chaos Mesh's StressChaos runs
 * stressors in the container's cgroup. The burner exits by itself when its TTL runs out
 * or the replica it is tied to exits; stress-ng gets `--timeout`.
 */
export interface StressSpec {
  kind: 'cpu' | 'memory';
  workers: number;
  /** cpu: percent load per worker (1–100). */
  loadPercent: number;
  /** memory: bytes per worker. */
  bytes: number;
  engine: 'auto' | 'stress-ng' | 'builtin';
}

const burnerSource = `
const [kind, amount, ttlMs, replicaPid] = process.argv.slice(1).map(Number);
const end = Date.now() + ttlMs;
const alive = () => { try { process.kill(replicaPid, 0); return true; } catch { return false; } };
setInterval(() => { if (Date.now() >= end || (replicaPid > 0 && !alive())) process.exit(0); }, 250);
if (kind === 1) {
  const chunks = [];
  for (let left = amount; left > 0; left -= 64 << 20) {
    const b = Buffer.allocUnsafe(Math.min(left, 64 << 20));
    for (let i = 0; i < b.length; i += 4096) b[i] = 1;
    chunks.push(b);
  }
  globalThis.keep = chunks;
} else {
  const busyMs = Math.max(1, Math.min(100, amount));
  const spin = () => { const t = Date.now() + busyMs; while (Date.now() < t) {} setTimeout(spin, 100 - busyMs); };
  spin();
}
`;

export function hasBinary(name: string): boolean {
  return spawnSync('which', [name], { stdio: 'ignore' }).status === 0;
}

/** The engine used for a spec on this machine. */
export function stressEngine(spec: StressSpec): 'stress-ng' | 'builtin' {
  if (spec.engine === 'builtin') return 'builtin';
  if (spec.engine === 'stress-ng') return 'stress-ng';
  return hasBinary('stress-ng') ? 'stress-ng' : 'builtin';
}

/** The argv of one stress process. */
export function stressArgv(spec: StressSpec, ttlMs: number, replicaPid: number): string[] {
  if (stressEngine(spec) === 'stress-ng') {
    const t = `${Math.max(1, Math.ceil(ttlMs / 1000))}s`;
    return spec.kind === 'cpu'
      ? [
          'stress-ng',
          '--cpu',
          String(spec.workers),
          '--cpu-load',
          String(spec.loadPercent),
          '--timeout',
          t,
          '--quiet',
        ]
      : [
          'stress-ng',
          '--vm',
          String(spec.workers),
          '--vm-bytes',
          String(spec.bytes),
          '--vm-keep',
          '--timeout',
          t,
          '--quiet',
        ];
  }
  return [
    process.execPath,
    '-e',
    burnerSource,
    spec.kind === 'cpu' ? '0' : '1',
    String(spec.kind === 'cpu' ? spec.loadPercent : spec.bytes),
    String(Math.round(ttlMs)),
    String(replicaPid),
  ];
}

/** The CPUs a process may run on (`Cpus_allowed_list`), e.g. "0-1". */
export function cpuAffinity(pid: number): string | undefined {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Starts the stress processes for one replica; returns their pids (group leaders). */
export function startStress(spec: StressSpec, faultId: string, replicaPid: number, ttlMs: number): number[] {
  const engine = stressEngine(spec);
  const count = engine === 'stress-ng' ? 1 : spec.workers;
  const affinity = hasBinary('taskset') ? cpuAffinity(replicaPid) : undefined;
  const pids: number[] = [];
  for (let i = 0; i < count; i++) {
    const argv = stressArgv(spec, ttlMs, replicaPid);
    const full = affinity ? ['taskset', '-c', affinity, ...argv] : argv;
    const child = spawn(full[0] as string, full.slice(1), {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, SHAKEDOWN_CHAOS_FAULT: faultId },
    });
    child.on('error', () => {});
    child.unref();
    if (child.pid !== undefined) {
      pids.push(child.pid);
      joinCgroups(child.pid, replicaPid);
    }
  }
  return pids;
}

/** As root, puts `pid` in every cgroup `of` is in (best effort: not all hierarchies are writable). */
export function joinCgroups(pid: number, of: number): number {
  if (process.getuid?.() !== 0) return 0;
  let joined = 0;
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${of}/cgroup`, 'utf8').trim().split('\n');
  } catch {
    return 0;
  }
  for (const line of lines) {
    const [, controllers, path] = line.split(':') as [string, string, string];
    const base =
      controllers === '' ? '/sys/fs/cgroup/unified' : `/sys/fs/cgroup/${controllers.replace(/^name=/, '')}`;
    for (const root of [base, '/sys/fs/cgroup']) {
      const procs = join(root, path ?? '', 'cgroup.procs');
      if (!existsSync(procs)) continue;
      try {
        writeFileSync(procs, String(pid));
        joined++;
        break;
      } catch {
        // Not ours to write (or the hierarchy forbids it): the tie is by affinity only.
      }
    }
  }
  return joined;
}

/** Pids whose environment carries the fault's tag: its stress processes and their children. */
export function taggedProcesses(faultId: string): number[] {
  const tag = `SHAKEDOWN_CHAOS_FAULT=${faultId}\0`;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(tag)) out.push(Number(entry));
    } catch {
      // Gone, or not ours.
    }
  }
  return out;
}

/**
 * A fault's stress processes: the tagged ones and every member of their process groups
 * (stress-ng renames its workers, which overwrites the environment /proc shows).
 */
export function stressProcesses(faultId: string): number[] {
  const leaders = new Set(taggedProcesses(faultId));
  const out = new Set(leaders);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && leaders.has(Number(fields[2]))) out.add(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return [...out];
}

/** Kills a fault's stress processes (found by tag, with their groups); how many there were. */
export function killTagged(faultId: string): number {
  const pids = stressProcesses(faultId);
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  return pids.length;
}
