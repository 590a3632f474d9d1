import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RevertJournal } from './journal.js';
import { LeaseKeeper } from './lease-keeper.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'shakedown-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const entry = (id: string) => ({
  id,
  runId: 'r1',
  pid: process.pid,
  type: 'latency',
  data: { service: 'catalog' },
  writtenAtMs: 1,
  expiresAtMs: 2,
});

describe('the revert journal', () => {
  it('lists faults begun and not reverted, survives torn lines, and empties itself', () => {
    const j = new RevertJournal(tmp());
    j.begin(entry('a'));
    j.begin(entry('b'));
    j.injected('a', 5);
    expect(j.active().map((e) => [e.id, e.injected])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    appendFileSync(j.file, '{"op":"reverted","id":"b"'); // a write cut short by a crash
    expect(j.active().map((e) => e.id)).toEqual(['a', 'b']);
    appendFileSync(j.file, '\n');
    j.reverted('a', 6);
    expect(j.active().map((e) => e.id)).toEqual(['b']);
    j.reverted('b', 7, 'expired');
    expect(j.active()).toEqual([]);
    expect(readFileSync(j.file, 'utf8')).toBe('');
    expect(new RevertJournal(tmp()).active()).toEqual([]);
  });
  it('is written before the call returns (another reader sees it at once)', () => {
    const dir = tmp();
    new RevertJournal(dir).begin(entry('x'));
    expect(new RevertJournal(dir).active().map((e) => e.data)).toEqual([{ service: 'catalog' }]);
  });
});

describe('the lease keeper', () => {
  const sleeper = () => {
    const c = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    c.unref();
    return c.pid as number;
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return false;
    }
  };
  const until = async (check: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (Date.now() < end && !check()) await new Promise((r) => setTimeout(r, 25));
    return check();
  };

  it('undoes a fault when its lease runs out, unless renewed or done', async () => {
    const dir = tmp();
    const file = join(dir, 'fill');
    writeFileSync(file, 'x');
    const k = new LeaseKeeper();
    k.start();
    try {
      const pid = sleeper();
      k.add('stress', [{ kill: pid }], Date.now() + 300);
      k.add('disk', [{ unlink: file }], Date.now() + 300);
      k.renew('disk', Date.now() + 60_000);
      expect(await until(() => !alive(pid))).toBe(true);
      expect(existsSync(file)).toBe(true);
      k.done('disk');
    } finally {
      await k.close();
    }
    expect(existsSync(file)).toBe(true); // done: the controller undid it, not the keeper
  });

  it('undoes everything at once when the controller goes away', async () => {
    const dir = tmp();
    const file = join(dir, 'fill');
    writeFileSync(file, 'x');
    const k = new LeaseKeeper();
    k.start();
    const keeper = k.pid as number;
    const pid = sleeper();
    k.add('a', [{ kill: pid }, { exec: ['rm', '-f', file] }], Date.now() + 60_000);
    await k.close(); // the pipe closes, as when the controller is killed
    expect(alive(pid)).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(alive(keeper)).toBe(false);
  });
});
