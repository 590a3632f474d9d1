import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeContract } from './store.contract.js';

// The store contract on a real PostgreSQL server started for this file from the machine's
// binaries (initdb + pg_ctl); each test gets its own database. Fails, does not skip, when
// PostgreSQL is not installed.
let pg: TestPostgres;
const urls = new Map<string, string>();

beforeAll(async () => {
  pg = await startTestPostgres();
}, 180_000);

afterAll(async () => {
  await pg?.stop();
}, 60_000);

storeContract('postgres', {
  fresh: async () => {
    const url = await pg.createDatabase();
    const { store } = await openStore(url, { recover: false });
    urls.set(store.location, url);
    return store;
  },
  reopen: async (s) => (await openStore(urls.get(s.location) as string, { recover: false })).store,
});
