import { type ChildProcess, spawn } from 'node:child_process';
import type { ReplicaLog } from './replica-log.js';

/**
 * One process of a replica: spawned from an argument array (never a shell) in its own
 * process group, with a stdin pipe it may watch to notice the fleet's death, and its
 * stdout and stderr going to the replica's log. `exited` resolves on exit; `closed` when
 * its output pipes are closed too (after `exited`, when the last output is in the log).
 */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES…). */
  spawnError?: NodeJS.ErrnoException;
}

export interface ReplicaProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<ProcessExit>;
  readonly closed: Promise<void>;
}

export function spawnReplicaProcess(
  argv: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; log: ReplicaLog },
): ReplicaProcess {
  const [command, ...args] = argv as [string, ...string[]];
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    // Synchronous spawn failures (bad arguments) end like asynchronous ones.
    const spawnError = e as NodeJS.ErrnoException;
    return {
      pid: undefined,
      exited: Promise.resolve({ code: null, signal: null, spawnError }),
      closed: Promise.resolve(),
    };
  }
  // The fleet must not wait for a replica to exit before it can exit itself; the stdin
  // pipe stays open (the replica's way to see the fleet die) but does not hold the loop.
  child.stdin?.on('error', () => {});
  child.stdout?.on('data', (d: Buffer) => options.log.write(d));
  child.stderr?.on('data', (d: Buffer) => options.log.write(d));
  const exited = new Promise<ProcessExit>((resolve) => {
    let done = false;
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (done || child.pid !== undefined) return;
      done = true;
      resolve({ code: null, signal: null, spawnError: err });
    });
    child.once('exit', (code, signal) => {
      if (done) return;
      done = true;
      resolve({ code, signal });
    });
  });
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });
  return { pid: child.pid, exited, closed };
}
