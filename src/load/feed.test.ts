import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.js';
import { FeedCursor, feedColumns, loadFeed } from './feed.js';

const dir = mkdtempSync(join(tmpdir(), 'feed-'));

describe('data feeds', () => {
  it('reads CSV with a header line and JSON arrays of objects', () => {
    writeFileSync(join(dir, 'users.csv'), 'username,password\nann,a1\n bob , b2\n\n');
    writeFileSync(join(dir, 'items.json'), JSON.stringify([{ id: 1, tags: ['x'] }, { id: 2 }]));
    const csv = loadFeed({ file: 'users.csv', mode: 'per-vu', order: 'sequential' }, dir);
    expect(csv.rows).toEqual([
      { username: 'ann', password: 'a1' },
      { username: 'bob', password: 'b2' },
    ]);
    const json = loadFeed({ file: 'items.json', mode: 'per-iteration', order: 'sequential' }, dir);
    expect(json.rows).toEqual([{ id: '1', tags: '["x"]' }, { id: '2' }]);
    expect(feedColumns(json).sort()).toEqual(['id', 'tags']);
  });

  it('fails clearly on missing files, bad JSON and empty feeds', () => {
    writeFileSync(join(dir, 'bad.json'), '{"a":1}');
    writeFileSync(join(dir, 'empty.csv'), 'a,b\n');
    expect(() => loadFeed({ file: 'nope.csv', mode: 'per-vu', order: 'sequential' }, dir)).toThrow(
      /cannot read data file/,
    );
    expect(() => loadFeed({ file: 'bad.json', mode: 'per-vu', order: 'sequential' }, dir)).toThrow(
      /array of objects/,
    );
    expect(() => loadFeed({ file: 'empty.csv', mode: 'per-vu', order: 'sequential' }, dir)).toThrow(
      /has no rows/,
    );
  });

  it('gives a VU its own row per-vu, and walks rows per iteration', () => {
    const data = {
      rows: [{ u: 'a' }, { u: 'b' }, { u: 'c' }],
      mode: 'per-vu' as const,
      order: 'sequential' as const,
    };
    expect(new FeedCursor(data, 4, createRandom(1), () => 0).row()).toEqual({ u: 'b' });
    let seq = 0;
    const it = new FeedCursor({ ...data, mode: 'per-iteration' }, 0, createRandom(1), () => seq++);
    expect([it.row(), it.row(), it.row(), it.row()].map((r) => r.u)).toEqual(['a', 'b', 'c', 'a']);
    const rnd = new FeedCursor(
      { ...data, mode: 'per-iteration', order: 'random' },
      0,
      createRandom(1),
      () => 0,
    );
    const seen = new Set(Array.from({ length: 50 }, () => rnd.row().u));
    expect(seen.size).toBe(3);
  });
});
