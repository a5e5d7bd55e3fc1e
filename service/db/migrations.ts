/**
 * Schema migrations, applied at start. Each is idempotent SQL (IF NOT EXISTS) and
 * recorded in `target_schema_migrations`; the whole run is one transaction holding an
 * advisory lock, so concurrent starts serialise and never race on DDL.
 */
import type pg from 'pg';
import { MIGRATION_LOCK_KEY } from '../constants.ts';

export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'requests and outbox',
    sql: `
CREATE TABLE IF NOT EXISTS llm_requests (
  id                uuid PRIMARY KEY,
  client_request_id text UNIQUE,
  status            text NOT NULL CHECK (status IN ('queued','processing','completed','failed')),
  mode              text NOT NULL CHECK (mode IN ('quick','detailed')),
  model             text NOT NULL,
  max_tokens        integer NOT NULL,
  messages          jsonb NOT NULL,
  result            text,
  error             text,
  input_tokens      integer,
  output_tokens     integer,
  attempts          integer NOT NULL DEFAULT 0,
  deliveries        integer NOT NULL DEFAULT 0,
  llm_ms            integer,
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at        timestamptz,
  completed_at      timestamptz
);
CREATE TABLE IF NOT EXISTS outbox_events (
  id             bigserial PRIMARY KEY,
  event_id       uuid NOT NULL UNIQUE,
  event_type     text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at   timestamptz
);
-- The relay's poll: only unpublished rows are indexed, so the index stays small.
CREATE INDEX IF NOT EXISTS outbox_events_unpublished_idx ON outbox_events (id) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_events_aggregate_idx ON outbox_events (aggregate_id);
`,
  },
  {
    version: 2,
    name: 'requeue sweeper bookkeeping',
    sql: `ALTER TABLE llm_requests ADD COLUMN IF NOT EXISTS requeued_at timestamptz;`,
  },
];

/** Applies the missing migrations; returns the versions applied by this call. */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS target_schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    // Every migration is idempotent and runs each start, so a schema dropped behind the
    // recorded versions (a reset database) is rebuilt; the record says when it first ran.
    for (const m of MIGRATIONS) {
      await client.query(m.sql);
      const r = await client.query(
        'INSERT INTO target_schema_migrations (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING',
        [m.version, m.name],
      );
      if (r.rowCount === 1) applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
