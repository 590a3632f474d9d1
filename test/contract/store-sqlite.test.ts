import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { storeContract } from './store.contract.js';

// The store contract on SQLite files (real files in a temp directory, WAL mode).
const dir = mkdtempSync(join(tmpdir(), 'shakedown-store-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract('sqlite', {
  fresh: async () => (await openStore(join(dir, `s${++n}.db`), { create: true, recover: false })).store,
  reopen: async (s) => (await openStore(s.location, { recover: false })).store,
});
