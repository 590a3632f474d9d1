import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplicaLog } from './replica-log.js';

describe('ReplicaLog', () => {
  it('rotates by size, keeps N old files and appends after a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-log-'));
    let log = new ReplicaLog(dir, 'catalog-v1-0', { maxSizeBytes: 200, keep: 2 });
    for (let i = 0; i < 40; i++) log.write(`line ${String(i).padStart(2, '0')} ${'x'.repeat(20)}\n`);
    await log.close();
    expect(readdirSync(dir).sort()).toEqual(['catalog-v1-0.log', 'catalog-v1-0.log.1', 'catalog-v1-0.log.2']);
    const newest = readFileSync(join(dir, 'catalog-v1-0.log.1'), 'utf8');
    const older = readFileSync(join(dir, 'catalog-v1-0.log.2'), 'utf8');
    const current = readFileSync(join(dir, 'catalog-v1-0.log'), 'utf8');
    // The files hold consecutive lines, newest in the current file, nothing reordered.
    const all = (older + newest + current).trim().split('\n');
    expect(all.at(-1)).toContain('line 39');
    const numbers = all.map((l) => Number(l.slice(5, 7)));
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) + i));
    expect(numbers[0]).toBeGreaterThan(0); // the oldest lines were dropped
    log = new ReplicaLog(dir, 'catalog-v1-0', { maxSizeBytes: 10_000, keep: 2 });
    log.note('started pid 42', Date.UTC(2025, 0, 1));
    await log.close();
    const after = readFileSync(join(dir, 'catalog-v1-0.log'), 'utf8');
    expect(after.startsWith(current)).toBe(true);
    expect(after).toContain('[shakedown] 2025-01-01T00:00:00.000Z started pid 42\n');
  });

  it('keeps the last lines in memory, partial line included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shakedown-log-'));
    const log = new ReplicaLog(dir, 'r', { maxSizeBytes: 1 << 20, keep: 1, tailLines: 3 });
    log.write('a\nb\n');
    log.write(Buffer.from('c\nd\ne'));
    expect(log.lastLines(10)).toEqual(['b', 'c', 'd', 'e']);
    expect(log.lastLines(2)).toEqual(['d', 'e']);
    log.note('exited code 1', 0);
    expect(log.lastLines(2)).toEqual(['e', '[shakedown] 1970-01-01T00:00:00.000Z exited code 1']);
    await log.close();
  });
});
