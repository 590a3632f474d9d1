import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The dead-man switch for faults that live on this machine rather than in the mesh or the
 * fleet (stress processes, a filled disk, iptables rules, a database cluster): a small
 * watchdog process in its own session holds a pipe from the chaos controller and, for each
 * fault, what undoes it and when its lease ends. It undoes a fault when its lease ends
 * (unless renewed) and every fault at once when the pipe closes — the controller exited
 * or was killed (`kill -9`) — then exits. The controller undoes faults itself on the normal
 * path and tells the keeper (`done`).
 *
 * Undo steps are data, never shell strings: `{kill: pgid, signal}` (a process group),
 * `{unlink: path}`, `{rmdir: path}` (recursive), `{exec: [argv…]}` (spawned without a
 * shell, waited for up to 10 s each). The code runs with `node -e`, like the fleet's reaper,
 * so it needs no file on disk. Protocol: one JSON object a line.
 */
export type UndoStep =
  | { kill: number; signal?: NodeJS.Signals }
  | { unlink: string }
  | { rmdir: string }
  | { exec: string[] };

const keeperSource = `
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const leases = new Map();
let buf = '';
function undo(steps) {
  for (const s of steps) {
    try {
      if (s.kill) { try { process.kill(-s.kill, s.signal || 'SIGKILL'); } catch { try { process.kill(s.kill, s.signal || 'SIGKILL'); } catch {} } }
      else if (s.unlink) fs.rmSync(s.unlink, { force: true });
      else if (s.rmdir) fs.rmSync(s.rmdir, { recursive: true, force: true });
      else if (s.exec) spawnSync(s.exec[0], s.exec.slice(1), { stdio: 'ignore', timeout: 10000 });
    } catch {}
  }
}
function undoAll() { for (const [id, l] of leases) { leases.delete(id); undo(l.steps); } process.exit(0); }
setInterval(() => {
  const now = Date.now();
  for (const [id, l] of leases) if (l.expiresAtMs <= now) { leases.delete(id); undo(l.steps); }
}, 100);
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.on('SIGTERM', undoAll);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    let m;
    try { m = JSON.parse(line); } catch { continue; }
    if (m.op === 'add') leases.set(m.id, { steps: m.steps, expiresAtMs: m.expiresAtMs });
    else if (m.op === 'renew') { const l = leases.get(m.id); if (l) l.expiresAtMs = m.expiresAtMs; }
    else if (m.op === 'done') leases.delete(m.id);
  }
});
process.stdin.on('end', undoAll);
process.stdin.on('error', undoAll);
`;

export class LeaseKeeper {
  private child: ChildProcess | undefined;

  /** Starts the watchdog (once). */
  start(env: NodeJS.ProcessEnv = process.env): void {
    if (this.child) return;
    const child = spawn(process.execPath, ['-e', keeperSource], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
    });
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => {});
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Hands a fault's undo steps to the keeper, to run at `expiresAtMs` or when we die. */
  add(id: string, steps: UndoStep[], expiresAtMs: number): void {
    this.send({ op: 'add', id, steps, expiresAtMs });
  }

  renew(id: string, expiresAtMs: number): void {
    this.send({ op: 'renew', id, expiresAtMs });
  }

  /** The fault was undone by the controller: forget it. */
  done(id: string): void {
    this.send({ op: 'done', id });
  }

  /** Closes the pipe: the keeper undoes whatever is left and exits. Resolves when it has. */
  close(): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    this.child = undefined;
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // Waited for: it must keep the event loop alive until it has undone what it holds.
      child.ref();
      child.once('exit', () => resolve());
      child.stdin?.end();
    });
  }

  private send(message: unknown): void {
    if (!this.child) throw new Error('the lease keeper is not running');
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }
}
