import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

/**
 * What a running `shakedown up` leaves in its state directory (`up.json`) so that other
 * commands (`restart`, `logs`, chaos, rollout) find its admin API: pid, admin URL, token
 * file, spec. Removed when `up` stops; a file whose pid is gone is stale and ignored.
 */
export interface UpState {
  pid: number;
  adminUrl: string;
  tokenFile: string;
  spec: string;
  stateDir: string;
  startedAt: string;
}

export function upStateFile(stateDir: string): string {
  return join(stateDir, 'up.json');
}

export function writeUpState(state: UpState): void {
  writeFileSync(upStateFile(state.stateDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function removeUpState(stateDir: string): void {
  rmSync(upStateFile(stateDir), { force: true });
}

/** The state of a live `up` in `stateDir`, or undefined when none runs there. */
export function readUpState(stateDir: string): UpState | undefined {
  let state: UpState;
  try {
    state = JSON.parse(readFileSync(upStateFile(stateDir), 'utf8')) as UpState;
  } catch {
    return undefined;
  }
  return pidAlive(state.pid) ? state : undefined;
}

/** Like {@link readUpState}, with an error saying what to do when nothing runs. */
export function requireUpState(stateDir: string): UpState {
  const state = readUpState(stateDir);
  if (!state)
    throw new ShakedownError('E_UP_NOT_RUNNING', `no running \`shakedown up\` found in ${stateDir}`, {
      exitCode: ExitCode.unreachable,
      hint: 'start one with `shakedown up [shakedown.yaml]`, or pass --state-dir (or --admin-url and --token-file)',
    });
  return state;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
