/**
 * k6/x/sql with k6/x/sql/driver/postgres against a real PostgreSQL (local provider,
 * started once for the file).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startInfra, type InfraHandle } from '../../../infra/index.ts';
import { createModule as createSql } from '../../../engine/modules/x/sql.ts';
import { createModule as createDriver } from '../../../engine/modules/x/sql-driver-postgres.ts';
import { fakeVu, type FakeVu } from './fake-vu.ts';

interface Result {
  rowsAffected(): number;
  lastInsertId(): number;
}
interface Database {
  exec(q: string, ...args: unknown[]): Promise<Result>;
  query(q: string, ...args: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}
type Open = (driver: unknown, url: string) => Database;

const modules = (vu: FakeVu) => ({
  open: (createSql(vu) as { open: Open }).open,
  driver: (createDriver(vu) as { default: symbol }).default,
});

describe('k6/x/sql (postgres driver)', () => {
  let infra: InfraHandle;
  let url: string;
  let vu: FakeVu;
  let db: Database;

  before(async () => {
    infra = await startInfra({ provider: 'local', services: ['postgres'], progress: 'silent' });
    url = infra.endpoints.postgres!.url;
    vu = fakeVu();
    const { open, driver } = modules(vu);
    db = open(driver, url);
    await db.exec(
      'CREATE TABLE roster (id bigserial PRIMARY KEY, given_name text NOT NULL, family_name text NOT NULL, born timestamptz)',
    );
  });

  after(async () => {
    await vu?.close();
    await infra?.down();
  });

  it('resolves exec with the number of rows affected', async () => {
    const r = await db.exec(
      "INSERT INTO roster (given_name, family_name) VALUES ('Peter', 'Pan'), ('Wendy', 'Darling')",
    );
    assert.equal(r.rowsAffected(), 2);
  });

  it('binds $n placeholders from the extra arguments', async () => {
    await db.exec(
      'INSERT INTO roster (given_name, family_name, born) VALUES ($1, $2, $3)',
      'James',
      'Hook',
      new Date('1904-12-27T00:00:00Z'),
    );
    const rows = await db.query('SELECT family_name, born FROM roster WHERE given_name = $1', 'James');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.family_name, 'Hook');
    assert.ok(rows[0]!.born instanceof Date);
  });

  it('returns rows as plain objects keyed by column, with COUNT(*) as a number', async () => {
    const [row] = await db.query('SELECT count(*) AS n, max(id) AS top FROM roster');
    assert.equal(typeof row!.n, 'number');
    assert.equal(row!.n, 3);
    assert.equal(typeof row!.top, 'number');
  });

  it('keeps a bigint beyond 2^53 as a string rather than losing digits', async () => {
    const [row] = await db.query('SELECT 9007199254740993::bigint AS big');
    assert.equal(row!.big, '9007199254740993');
  });

  it('throws from lastInsertId, pointing at RETURNING, as the Go driver does not support it', async () => {
    const r = await db.exec("INSERT INTO roster (given_name, family_name) VALUES ('Tinker', 'Bell')");
    assert.throws(() => r.lastInsertId(), /RETURNING/);
  });

  it('rejects a bad statement with the module name and the server message', async () => {
    await assert.rejects(
      db.query('SELECT * FROM no_such_table'),
      (e: Error & { code?: string }) =>
        e.code === 'X_SQL_QUERY' && /k6\/x\/sql: db\.query failed/.test(e.message) && /no_such_table/.test(e.message),
    );
  });

  it('refuses a driver that is not the postgres driver module', () => {
    const { open } = modules(vu);
    assert.throws(
      () => open(Symbol('mysql'), url),
      /driver must be the default export of k6\/x\/sql\/driver\/postgres/,
    );
  });

  it("recognises the driver exported by another VU's module instance", async () => {
    const other = fakeVu();
    const mine = modules(vu);
    const theirs = modules(other);
    const d = mine.open(theirs.driver, url);
    assert.equal((await d.query('SELECT 1 AS one'))[0]!.one, 1);
    await other.close();
    await d.close();
  });

  it('accepts the driver module object itself, as a CommonJS interop hands the default import over', async () => {
    const own = fakeVu();
    const { open } = modules(own);
    const d = open(createDriver(own), url);
    assert.equal((await d.query('SELECT 2 AS two'))[0]!.two, 2);
    await own.close();
  });

  it('rejects queries on a closed database', async () => {
    const { open, driver } = modules(vu);
    const d = open(driver, url);
    await d.close();
    await assert.rejects(d.query('SELECT 1'), /closed database/);
  });

  it('throws in a sync-mode VU, naming the module and asking for async functions', () => {
    const { open, driver } = modules(fakeVu('sync'));
    assert.throws(
      () => open(driver, url),
      (e: Error & { code?: string }) => e.code === 'X_MODULE_NEEDS_ASYNC' && /k6\/x\/sql/.test(e.message),
    );
  });

  it('ends its connections when the VU shuts down', async () => {
    const own = fakeVu();
    const { open, driver } = modules(own);
    const d = open(driver, `${url}${url.includes('?') ? '&' : '?'}application_name=k6-close-probe`);
    await d.query('SELECT 1');
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    const count = async () =>
      Number(
        (await probe.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'k6-close-probe'"))
          .rows[0].n,
      );
    try {
      assert.equal(await count(), 1);
      await own.close();
      // The server drops the backend just after the client said goodbye: look again a few times (bounded).
      let left = await count();
      for (let i = 0; i < 50 && left > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = await count();
      }
      assert.equal(left, 0);
    } finally {
      await probe.end();
    }
  });
});
