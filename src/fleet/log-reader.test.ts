import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogFollower, lastLines, replicaLogs } from './log-reader.js';

describe('log reader', () => {
  it('lists replica logs in index order, ignoring rotated files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-logs-'));
    for (const f of ['api-v1-10.log', 'api-v1-2.log', 'api-v1-2.log.1', 'api-v2-0.log', 'notes.txt'])
      writeFileSync(join(dir, f), '');
    expect(replicaLogs(dir)).toEqual(['api-v1-2', 'api-v1-10', 'api-v2-0']);
    expect(replicaLogs(join(dir, 'missing'))).toEqual([]);
  });

  it('takes the last lines from the current file and the rotated ones before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-logs-'));
    writeFileSync(join(dir, 'r.log.2'), 'a\nb\n');
    writeFileSync(join(dir, 'r.log.1'), 'c\nd\n');
    writeFileSync(join(dir, 'r.log'), 'e\nf');
    expect(lastLines(dir, 'r', 3)).toEqual(['d', 'e', 'f']);
    expect(lastLines(dir, 'r', 10)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(lastLines(dir, 'none', 5)).toEqual([]);
  });

  it('follows new lines across a rotation without losing any', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-logs-'));
    const file = join(dir, 'r.log');
    writeFileSync(file, 'old\n');
    const f = new LogFollower(file, true);
    expect(f.poll()).toEqual([]);
    appendFileSync(file, 'one\ntw');
    expect(f.poll()).toEqual(['one']);
    appendFileSync(file, 'o\nthree\n');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'four\n');
    expect(f.poll()).toEqual(['two', 'three', 'four']);
    appendFileSync(file, 'five\n');
    expect(f.poll()).toEqual(['five']);
    f.close();
    const fromStart = new LogFollower(file, false);
    expect(fromStart.poll()).toEqual(['four', 'five']);
    fromStart.close();
  });
});
