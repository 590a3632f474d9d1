import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

/**
 * Starts the bundled example service (`examples/hello/server.mjs`) as a child process on a
 * free loopback port and returns its base URL. The child is stopped by `stop()`, killed if
 * this process exits first, and stops by itself when this process dies (its stdin closes).
 */
export interface RunningService {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function examplesDir(): string {
  return fileURLToPath(new URL('../../examples/', import.meta.url));
}

export async function startExampleService(
  env: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<RunningService> {
  const script = fileURLToPath(new URL('../../examples/hello/server.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: '0', SHAKEDOWN_EXIT_WITH_PARENT: '1', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error(`no "listening" line within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new ShakedownError('E_SERVICE_START', `the example service did not start: ${e.message}`, {
          exitCode: ExitCode.environment,
        }),
      );
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`exited with code ${code}`)));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"listening"'));
      if (line) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
  });
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
