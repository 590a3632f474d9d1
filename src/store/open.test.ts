import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunExport, readRunExportFile } from './export-format.js';
import { latestSchemaVersion } from './migrations.js';
import { isPostgresUrl, openStore, redactLocation, resolveStoreLocation } from './open.js';
import { isValidRunId, newRunId } from './run-id.js';
import { SqliteDriver } from './sqlite-driver.js';

const dir = mkdtempSync(join(tmpdir(), 'shakedown-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('store location', () => {
  it('prefers --store, then SHAKEDOWN_STORE, then .shakedown/results.db in the cwd', () => {
    expect(resolveStoreLocation('x.db', { SHAKEDOWN_STORE: '/e.db' }, '/w')).toBe('/w/x.db');
    expect(resolveStoreLocation(undefined, { SHAKEDOWN_STORE: '/e.db' }, '/w')).toBe('/e.db');
    expect(resolveStoreLocation(undefined, {}, '/w')).toBe('/w/.shakedown/results.db');
    expect(resolveStoreLocation('postgresql://u@h/db', {}, '/w')).toBe('postgresql://u@h/db');
    expect(isPostgresUrl('POSTGRES://h/db')).toBe(true);
    expect(isPostgresUrl('./postgres.db')).toBe(false);
  });

  it('never shows a password', () => {
    expect(redactLocation('postgres://ci:s3cret@db:5432/results')).toBe('postgres://ci:***@db:5432/results');
    expect(redactLocation('/a/b.db')).toBe('/a/b.db');
  });
});

describe('openStore', () => {
  it('refuses to create a store for a reader, with a hint, and creates it for a producer', async () => {
    const path = join(dir, 'none', 'results.db');
    await expect(openStore(path)).rejects.toMatchObject({ code: 'E_NO_STORE', exitCode: 4 });
    const { store } = await openStore(path, { create: true });
    expect(await store.schemaVersion()).toBe(latestSchemaVersion);
    await store.close();
  });

  it('refuses a database written by a newer shakedown', async () => {
    const path = join(dir, 'newer.db');
    const { store } = await openStore(path, { create: true });
    await store.close();
    const d = new SqliteDriver(path);
    await d.run('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)', [
      latestSchemaVersion + 1,
      'future',
      0,
    ]);
    await d.close();
    await expect(openStore(path)).rejects.toMatchObject({ code: 'E_STORE_SCHEMA' });
  });

  it('reports a file that is not a database', async () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not sqlite, just text that is long enough to have a header. '.repeat(20));
    await expect(openStore(path)).rejects.toMatchObject({ code: 'E_STORE_OPEN', exitCode: 4 });
  });

  it('reports an unreachable PostgreSQL server clearly', async () => {
    await expect(openStore('postgres://nobody:pw@127.0.0.1:1/none')).rejects.toMatchObject({
      code: 'E_STORE_OPEN',
      message: expect.stringContaining('postgres://nobody:***@127.0.0.1:1/none'),
    });
  });
});

describe('run ids and export files', () => {
  it('ids sort by time and are validated', () => {
    const a = newRunId(Date.UTC(2026, 0, 2, 3, 4, 5), () => Buffer.from([1, 2, 3]));
    expect(a).toBe('20260102-030405-010203');
    expect(isValidRunId(a)).toBe(true);
    expect(isValidRunId('../etc')).toBe(false);
    expect(isValidRunId('')).toBe(false);
  });

  it('export files are validated with the JSON path of the problem', () => {
    expect(() => parseRunExport({ format: 'other' }, 'f.json')).toThrow(
      /f\.json: not a shakedown run export at format: expected format: "shakedown\.run"/,
    );
    const bad = { format: 'shakedown.run', version: 1, exportedAt: 'x', run: {}, windows: [], events: [] };
    expect(() => parseRunExport(bad, 'g.json')).toThrow(/g\.json: not a shakedown run export at run\.id/);
    const path = join(dir, 'not.json');
    writeFileSync(path, '{nope');
    expect(() => readRunExportFile(path)).toThrow(/not JSON/);
    expect(() => readRunExportFile(join(dir, 'missing.json'))).toThrow(/cannot read/);
  });
});
