import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The guarantee that no replica outlives the fleet, whatever the replica's program is and
 * however the fleet ends (even SIGKILL). A small watchdog process, in its own session so a
 * terminal's Ctrl-C or hang-up does not reach it, holds a pipe from the fleet and the list
 * of replica process groups. When the pipe closes — the fleet exited or died — it sends
 * SIGTERM to every group still listed, SIGKILL after the grace period, and exits.
 * Replicas that cooperate also watch their own stdin pipe (`SHAKEDOWN_EXIT_WITH_PARENT`).
 *
 * The watchdog's code runs with `node -e`, so it needs no file on disk (it works from the
 * sources under test as from `dist/`). Protocol: one line per change, `+<pgid>` or `-<pgid>`.
 */
const watchdogSource = `
const graceMs = Number(process.argv[1]) || 5000;
const groups = new Set();
let buf = '';
const alive = (g) => { try { process.kill(-g, 0); return true; } catch { return false; } };
const send = (sig) => { for (const g of groups) { try { process.kill(-g, sig); } catch {} } };
let reaping = false;
function reap() {
  if (reaping) return;
  reaping = true;
  send('SIGTERM');
  send('SIGCONT');
  const started = Date.now();
  const tick = setInterval(() => {
    for (const g of [...groups]) if (!alive(g)) groups.delete(g);
    if (groups.size === 0 || Date.now() - started >= graceMs) {
      send('SIGKILL');
      process.exit(0);
    }
  }, 50);
}
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.on('SIGTERM', reap);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const g = Number(line.slice(1));
    if (!Number.isInteger(g) || g <= 1) continue;
    if (line[0] === '+') groups.add(g);
    else if (line[0] === '-') groups.delete(g);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

export class Reaper {
  private child: ChildProcess | undefined;

  /** Starts the watchdog; `graceMs` is what it gives groups between SIGTERM and SIGKILL. */
  start(graceMs: number, env: NodeJS.ProcessEnv = process.env): void {
    if (this.child) return;
    const child = spawn(process.execPath, ['-e', watchdogSource, String(Math.ceil(graceMs))], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
    });
    // It must never keep the fleet's process alive by itself.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => {});
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
  }

  /** The watchdog's pid (for tests and status). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Lists a replica's group. */
  track(pgid: number): void {
    this.child?.stdin?.write(`+${pgid}\n`);
  }

  /** Removes a group that has exited. */
  untrack(pgid: number): void {
    this.child?.stdin?.write(`-${pgid}\n`);
  }

  /** Closes the pipe: the watchdog reaps what is still listed and exits. */
  close(): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    this.child = undefined;
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin?.end();
    });
  }
}
