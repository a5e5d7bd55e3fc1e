import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { InfraError, type InfraHandle, startInfra } from '../../infra/index.ts';
import { ExternalProvider } from '../../infra/providers/external.ts';
import { withSslModeDisable } from '../../infra/services/postgres/url.ts';

describe('withSslModeDisable', () => {
  it('adds sslmode=disable to a URL that names no sslmode', () => {
    assert.equal(
      withSslModeDisable('postgres://u:p@127.0.0.1:5432/db'),
      'postgres://u:p@127.0.0.1:5432/db?sslmode=disable',
    );
  });

  it('keeps the other query parameters of the URL', () => {
    assert.equal(
      withSslModeDisable('postgresql://u:p@db:5433/app?application_name=kit'),
      'postgresql://u:p@db:5433/app?application_name=kit&sslmode=disable',
    );
  });

  it('leaves a URL that already names an sslmode as the user wrote it', () => {
    for (const url of [
      'postgres://u:p@db/app?sslmode=require',
      'postgres://u:p@db/app?sslmode=verify-full&x=1',
      'postgres://u:p@db/app?sslmode=disable',
    ]) {
      assert.equal(withSslModeDisable(url), url);
    }
  });
});

describe('external provider: DATABASE_URL', () => {
  it('hands the user URL out with sslmode=disable when it names no sslmode', async () => {
    const started = await new ExternalProvider({ DATABASE_URL: 'postgres://u:p@db:5433/app' }).start('postgres');
    assert.equal(started.endpoints.postgres?.url, 'postgres://u:p@db:5433/app?sslmode=disable');
  });

  it('hands the user URL out unchanged when it names an sslmode', async () => {
    const url = 'postgres://u:p@db:5433/app?sslmode=require';
    const started = await new ExternalProvider({ DATABASE_URL: url }).start('postgres');
    assert.equal(started.endpoints.postgres?.url, url);
  });

  it('shows a URL with sslmode=disable in the hint when DATABASE_URL is missing', async () => {
    await assert.rejects(new ExternalProvider({}).preflight(['postgres']), (err: unknown) => {
      assert.ok(err instanceof InfraError);
      assert.match(
        err.message,
        /DATABASE_URL is not set \(needed for postgres; for example DATABASE_URL=postgres:\/\/\S+\?sslmode=disable\)/,
      );
      return true;
    });
  });
});

describe('local provider: the PostgreSQL URL with a real server', () => {
  let infra: InfraHandle;
  const logDir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-sslmode-'));

  before(async () => {
    infra = await startInfra({ provider: 'local', services: ['postgres'], logDir, progress: 'silent' });
  });
  after(async () => {
    await infra?.down();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('names sslmode=disable', () => {
    assert.equal(new URL(infra.endpoints.postgres!.url).searchParams.get('sslmode'), 'disable');
  });

  it('is accepted by node-postgres, which connects without TLS', async () => {
    const client = new pg.Client({ connectionString: infra.endpoints.postgres!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ ssl: boolean | null }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      assert.equal(rows[0]?.ssl, false);
    } finally {
      await client.end();
    }
  });
});
