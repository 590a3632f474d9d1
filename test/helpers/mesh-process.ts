import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type CliRun, spawnCli } from './cli.js';

/** A `shakedown mesh` process started with `--json`, and what it printed when it started. */
export interface MeshProcess {
  child: ChildProcess;
  proxyUrl: string;
  adminUrl: string;
  tokenFile: string;
  token: string;
  done: Promise<CliRun>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<CliRun>;
}

export async function startMeshProcess(args: string[], timeoutMs = 15_000): Promise<MeshProcess> {
  const { child, done } = spawnCli(['mesh', ...args, '--json']);
  const started = await new Promise<{
    listeners: Array<{ url: string }>;
    admin: { url: string; tokenFile: string };
  }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => reject(new Error(`shakedown mesh did not start in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"event":"started"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    done.then((r) => {
      clearTimeout(timer);
      reject(new Error(`shakedown mesh exited ${r.code}: ${r.stderr}`));
    });
  });
  const tokenFile = started.admin?.tokenFile;
  return {
    child,
    proxyUrl: started.listeners[0]?.url as string,
    adminUrl: started.admin?.url,
    tokenFile,
    token: tokenFile ? readFileSync(tokenFile, 'utf8').trim() : '',
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}
