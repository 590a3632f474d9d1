import { spawn } from 'node:child_process';
import { usageError } from '../core/errors.js';

/**
 * The rollback trigger: when `compare` or `trend` finds a regression they call the
 * configured hook with the verdict JSON — a command (an argument array, spawned without a
 * shell; the JSON on its stdin, `SHAKEDOWN_VERDICT` and `SHAKEDOWN_REGRESSIONS` in its
 * environment) and/or a webhook (an HTTP POST of the JSON). Both are bounded in time.
 */
export interface HookConfig {
  /** argv of a command, e.g. ["./rollback.sh", "--env", "prod"]. */
  command?: readonly string[];
  /** URL that receives the verdict JSON as a POST. */
  url?: string;
  /** Time limit for each hook (default 30 s). */
  timeoutMs?: number;
}

export interface HookResult {
  hook: 'command' | 'webhook';
  ok: boolean;
  /** Exit code or HTTP status. */
  status: number | null;
  message: string;
}

/** Parses `--hook-cmd '["./rollback.sh","prod"]'`: a JSON array of strings. */
export function parseHookCommand(json: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0)) {
    throw usageError(
      'E_HOOK',
      `invalid --hook-cmd ${JSON.stringify(json)}: expected a JSON array of strings (the command and its arguments)`,
      `--hook-cmd '["./rollback.sh", "--env", "prod"]'`,
    );
  }
  return v as string[];
}

/** Checks a webhook URL (http or https). */
export function parseHookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError('E_HOOK', `invalid --hook-url "${url}": expected an http:// or https:// URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw usageError('E_HOOK', `invalid --hook-url "${url}": expected an http:// or https:// URL`);
  }
  return u.toString();
}

function runCommand(
  argv: readonly string[],
  body: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  log: (s: string) => void,
): Promise<HookResult> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const relay = (d: Buffer) => log(d.toString());
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.stdin.on('error', () => {});
    child.stdin.end(body);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ hook: 'command', ok: false, status: null, message: `cannot run ${cmd}: ${e.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ok = code === 0;
      resolve({
        hook: 'command',
        ok,
        status: code,
        message: ok
          ? `${cmd} exited 0`
          : signal
            ? `${cmd} was killed (${signal}; time limit ${timeoutMs} ms)`
            : `${cmd} exited ${code}`,
      });
    });
  });
}

async function postWebhook(url: string, body: string, timeoutMs: number): Promise<HookResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'shakedown' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { hook: 'webhook', ok: res.ok, status: res.status, message: `POST ${url} → ${res.status}` };
  } catch (e) {
    return {
      hook: 'webhook',
      ok: false,
      status: null,
      message: `POST ${url} failed: ${(e as Error).message}`,
    };
  }
}

/** Calls every configured hook with `verdict` (serialised as JSON); never throws. */
export async function triggerHooks(
  config: HookConfig,
  verdict: { verdict: string; regressions: readonly string[] },
  options: { env?: NodeJS.ProcessEnv; log?: (s: string) => void } = {},
): Promise<HookResult[]> {
  const body = `${JSON.stringify(verdict)}\n`;
  const timeoutMs = config.timeoutMs ?? 30_000;
  const out: HookResult[] = [];
  if (config.command?.length) {
    const env = {
      ...(options.env ?? process.env),
      SHAKEDOWN_VERDICT: verdict.verdict,
      SHAKEDOWN_REGRESSIONS: verdict.regressions.join(', '),
    };
    out.push(await runCommand(config.command, body, env, timeoutMs, options.log ?? (() => {})));
  }
  if (config.url) out.push(await postWebhook(config.url, body, timeoutMs));
  return out;
}
