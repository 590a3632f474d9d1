/**
 * What a command gets from the process, injected so commands can be run in-process by
 * tests: output streams, environment, working directory and signal subscription.
 */
export interface CliStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliContext {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void;
  /** Sets the exit code the process will end with. */
  setExitCode(code: number): void;
}

export function processContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    setExitCode(code) {
      process.exitCode = code;
    },
  };
}
