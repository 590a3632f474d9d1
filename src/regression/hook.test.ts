import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseHookCommand, parseHookUrl, triggerHooks } from './hook.js';

const verdict = { verdict: 'regressed', regressions: ['latency_p99_ms (overall)', 'error_rate (overall)'] };

describe('hook configuration', () => {
  it('takes a command as a JSON array of strings only', () => {
    expect(parseHookCommand('["./rollback.sh","--env","prod"]')).toEqual(['./rollback.sh', '--env', 'prod']);
    for (const bad of ['./rollback.sh prod', '[]', '[1]', '{"cmd":"x"}', '[""]']) {
      expect(() => parseHookCommand(bad)).toThrow(/expected a JSON array of strings/);
    }
  });

  it('takes http(s) webhook URLs only', () => {
    expect(parseHookUrl('https://hooks.example/x')).toBe('https://hooks.example/x');
    expect(() => parseHookUrl('file:///etc/passwd')).toThrow(/expected an http/);
    expect(() => parseHookUrl('nope')).toThrow(/expected an http/);
  });
});

describe('triggerHooks', () => {
  it('runs the command without a shell, with the verdict JSON on stdin and in the environment', async () => {
    const script =
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{process.stdout.write(JSON.stringify({stdin:JSON.parse(s),v:process.env.SHAKEDOWN_VERDICT,r:process.env.SHAKEDOWN_REGRESSIONS,arg:process.argv[1]}))})";
    let logged = '';
    const [res] = await triggerHooks(
      { command: [process.execPath, '-e', script, '$(touch /tmp/x); a b'] },
      verdict,
      {
        log: (s) => {
          logged += s;
        },
      },
    );
    expect(res).toMatchObject({ hook: 'command', ok: true, status: 0 });
    const seen = JSON.parse(logged);
    expect(seen).toEqual({
      stdin: verdict,
      v: 'regressed',
      r: 'latency_p99_ms (overall), error_rate (overall)',
      arg: '$(touch /tmp/x); a b',
    });
  });

  it('reports a failing, missing or slow command without throwing', async () => {
    const [fail] = await triggerHooks({ command: [process.execPath, '-e', 'process.exit(3)'] }, verdict);
    expect(fail).toMatchObject({ ok: false, status: 3 });
    const [missing] = await triggerHooks({ command: ['/nonexistent/rollback'] }, verdict);
    expect(missing?.ok).toBe(false);
    expect(missing?.message).toMatch(/cannot run/);
    const [slow] = await triggerHooks(
      { command: [process.execPath, '-e', 'setTimeout(()=>{},10000)'], timeoutMs: 200 },
      verdict,
    );
    expect(slow?.ok).toBe(false);
    expect(slow?.message).toMatch(/killed/);
  });

  it('POSTs the verdict JSON to the webhook and reports the status', async () => {
    const got: Array<{ method?: string; type?: string; body: string }> = [];
    let status = 204;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        got.push({ method: req.method, type: req.headers['content-type'], body });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rollback`;
    try {
      const [ok] = await triggerHooks({ url }, verdict);
      expect(ok).toMatchObject({ hook: 'webhook', ok: true, status: 204 });
      expect(got[0]).toMatchObject({ method: 'POST', type: 'application/json' });
      expect(JSON.parse(got[0]?.body ?? '')).toEqual(verdict);
      status = 500;
      const [bad] = await triggerHooks({ url }, verdict);
      expect(bad).toMatchObject({ ok: false, status: 500 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const [down] = await triggerHooks({ url, timeoutMs: 2000 }, verdict);
    expect(down?.ok).toBe(false);
  });
});
