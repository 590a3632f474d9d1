import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** Options of a {@link ShakedownError}. */
export interface ShakedownErrorOptions {
  /** What the user can do about it, one sentence. */
  hint?: string;
  /** Process exit code when this error ends the CLI. */
  exitCode?: ExitCodeValue;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Every error Shakedown raises on purpose. `code` is stable (tests and scripts match on it),
 * `message` is for people, `hint` says what to do, `exitCode` is what the CLI exits with.
 */
export class ShakedownError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, options: ShakedownErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShakedownError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.internal;
  }
}

/** A usage error: bad flag, bad value, bad spec. Exits 2. */
export function usageError(code: string, message: string, hint?: string): ShakedownError {
  return new ShakedownError(code, message, { exitCode: ExitCode.usage, ...(hint ? { hint } : {}) });
}

/** True when `e` is a {@link ShakedownError}, also across module copies (workers). */
export function isShakedownError(e: unknown): e is ShakedownError {
  return e instanceof ShakedownError || (e instanceof Error && e.name === 'ShakedownError' && 'code' in e);
}

/** Formats an error for a terminal: message, then the hint on its own line. */
export function formatError(e: unknown): string {
  if (isShakedownError(e)) {
    return `error [${e.code}]: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`;
  }
  if (e instanceof Error) return `internal error: ${e.stack ?? e.message}`;
  return `internal error: ${String(e)}`;
}
