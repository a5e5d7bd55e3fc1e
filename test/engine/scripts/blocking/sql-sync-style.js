// xk6-sql's db.exec / db.query are synchronous in k6: inside async functions they are unawaited
// here too, and each statement still sees the one before it.
import sql from 'k6/x/sql';
import driver from 'k6/x/sql/driver/postgres';
import { check } from 'k6';

const db = sql.open(driver, __ENV.DATABASE_URL);

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 3 } } };

export async function setup() {
  db.exec('CREATE TABLE visits (vu int NOT NULL, iter int NOT NULL)');
}

export default async function () {
  db.exec('INSERT INTO visits (vu, iter) VALUES ($1, $2)', __VU, __ITER);
  const rows = db.query('SELECT count(*)::int AS n FROM visits WHERE vu = $1', __VU);
  check(rows, { 'the insert is seen by the next statement': (r) => r[0].n === __ITER + 1 });
}

export async function teardown() {
  const rows = db.query('SELECT count(*)::int AS n FROM visits');
  check(rows, { 'every iteration inserted its row': (r) => r[0].n === 6 });
  db.exec('DROP TABLE visits');
}
