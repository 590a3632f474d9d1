import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { z } from 'zod';
import { durationMs, strictObject } from '../../../spec/types.js';
import { argsMessage, fillArgs, type ProviderPlugin, type Reading } from './provider.js';

/**
 * A command as a check: exit 0 succeeds, anything else fails (a smoke test, a script that
 * asks another system). An argument array, never a shell string; arguments may use
 * `{{canary}}`, `{{stable}}`, `{{service}}`; the period is in its environment
 * (`SHAKEDOWN_ROLLOUT_SERVICE`, `…_CANARY`, `…_STABLE`, `…_START_MS`, `…_END_MS`). Killed
 * after `timeout` (a failure, not an error: it did not pass).
 */
const schema = strictObject({
  type: z.literal('command'),
  argv: z
    .array(
      z.string().superRefine((v, ctx) => {
        const m = argsMessage(v);
        if (m) ctx.addIssue({ code: 'custom', message: m });
      }),
    )
    .min(1, 'expected the program and its arguments, such as [./smoke.sh, "{{canary}}"]'),
  timeout: durationMs.default(30_000),
  cwd: z.string().optional(),
});

export const commandProvider: ProviderPlugin<z.output<typeof schema>> = {
  summary: 'a program (argument array, no shell): exit 0 succeeds',
  schema,
  create: (c) => ({
    measure: (ctx) =>
      new Promise<Reading>((done, fail) => {
        const [cmd, ...args] = c.argv.map((a) => fillArgs(a, ctx)) as [string, ...string[]];
        const child = spawn(cmd, args, {
          cwd: c.cwd ? resolve(ctx.baseDir, c.cwd) : ctx.baseDir,
          env: {
            ...process.env,
            SHAKEDOWN_ROLLOUT_SERVICE: ctx.service,
            SHAKEDOWN_ROLLOUT_CANARY: ctx.canaryVersion,
            SHAKEDOWN_ROLLOUT_STABLE: ctx.stableVersion,
            SHAKEDOWN_ROLLOUT_START_MS: String(ctx.startMs),
            SHAKEDOWN_ROLLOUT_END_MS: String(ctx.endMs),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          signal: ctx.signal,
          timeout: c.timeout,
        });
        let output = '';
        const keep = (d: Buffer) => {
          output = (output + d.toString()).slice(-500);
        };
        child.stdout?.on('data', keep);
        child.stderr?.on('data', keep);
        // Could not run it at all (not found, not executable): the check could not measure.
        child.on('error', (e) => fail(new Error(`${cmd}: ${e.message}`)));
        child.on('close', (code, sig) => {
          const tail = output.trim().split('\n').slice(-1)[0] ?? '';
          const what = sig ? `killed by ${sig}` : `exited ${code}`;
          done({
            kind: 'phase',
            phase: code === 0 ? 'successful' : 'failed',
            value: code,
            message: `${cmd} ${what}${tail ? `: ${tail}` : ''}`,
          });
        });
      }),
  }),
};
