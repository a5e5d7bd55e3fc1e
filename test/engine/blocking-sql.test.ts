/**
 * Issue 24 with k6/x/sql: db.exec / db.query unawaited inside async functions (synchronous in
 * k6 with xk6-sql) run in order against a real PostgreSQL (local provider, started once).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { run, SCRIPTS } from './helpers/run.ts';

describe('blocking k6/x/sql calls in async functions', () => {
  let infra: InfraHandle;

  before(async () => {
    infra = await startInfra({ provider: 'local', services: ['postgres'], progress: 'silent' });
  });
  after(async () => {
    await infra?.down();
  });

  it('each statement sees the one before it, in setup, iterations and teardown', async () => {
    const r = await run(`${SCRIPTS}blocking/sql-sync-style.js`, {
      mode: 'async',
      env: { DATABASE_URL: infra.endpoints.postgres!.url },
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('iterations').count, 6);
    assert.equal(r.values('checks').passes, 7, r.stderr);
    assert.equal(r.values('checks').fails, 0);
  });
});
