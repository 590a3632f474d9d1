import { spawn } from 'node:child_process';
import { z } from 'zod';
import { durationMs, strictObject } from '../../spec/types.js';
import { compileTemplate } from '../rules/template.js';
import type { ActionPlugin } from './action.js';

/**
 * Runs a program with an argument array — never a shell string — whose arguments may use
 * the alert's `{{ $labels.x }}` and `{{ $value }}`. Killed after `timeout`. The alert is
 * also passed in the environment (`SHAKEDOWN_ALERT` as JSON).
 */
const schema = strictObject({
  type: z.literal('command'),
  argv: z
    .array(z.string())
    .min(1, 'expected the program and its arguments, such as [kubectl, rollout, undo, deploy/api]'),
  timeout: durationMs.default(30_000),
  cwd: z.string().optional(),
});

export const commandAction: ActionPlugin<z.output<typeof schema>> = {
  summary: 'run a program (argument array, no shell) with the alert in its arguments and environment',
  schema,
  create: (c, ctx) => {
    const args = c.argv.map((a) => compileTemplate(a));
    return {
      run: (alert, signal) =>
        new Promise((resolve) => {
          const data = { labels: alert.labels, value: alert.value };
          const [cmd, ...rest] = args.map((t) => t.render(data));
          const child = spawn(cmd as string, rest, {
            cwd: c.cwd ?? ctx.baseDir,
            env: { ...process.env, SHAKEDOWN_ALERT: JSON.stringify(alert) },
            stdio: ['ignore', 'pipe', 'pipe'],
            signal,
            timeout: c.timeout,
          });
          let output = '';
          const keep = (d: Buffer) => {
            output = (output + d.toString()).slice(-500);
          };
          child.stdout?.on('data', keep);
          child.stderr?.on('data', keep);
          child.on('error', (e) => resolve({ ok: false, detail: `${cmd}: ${e.message}` }));
          child.on('close', (code, sig) => {
            const tail = output.trim().split('\n').slice(-1)[0] ?? '';
            if (code === 0) resolve({ ok: true, detail: `${cmd} exited 0${tail ? `: ${tail}` : ''}` });
            else
              resolve({
                ok: false,
                detail: `${cmd} ${sig ? `killed by ${sig}` : `exited ${code}`}${tail ? `: ${tail}` : ''}`,
              });
          });
        }),
    };
  },
};
