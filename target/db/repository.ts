/**
 * Every SQL statement of the service. A state change and its outbox event are written
 * in the same transaction; the worker's final update is conditional on the request not
 * being finished yet, so a redelivered job can never complete a request twice.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AGGREGATE_TYPE, EVENT_TYPES, type EventType, type RequestStatus } from '../constants.ts';
import type { RequestItem } from '../validation.ts';

export interface RequestRow {
  id: string;
  client_request_id: string | null;
  status: RequestStatus;
  mode: string;
  model: string;
  max_tokens: number;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  result: string | null;
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  attempts: number;
  deliveries: number;
  llm_ms: number | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface Created {
  id: string;
  status: RequestStatus;
  client_request_id: string | null;
}

/** A batch item's client_request_id already exists (or repeats within the batch). */
export class BatchConflict extends Error {
  readonly code = 'conflict';
  constructor(readonly index: number, readonly clientRequestId: string) {
    super(`requests[${index}].client_request_id ${JSON.stringify(clientRequestId)} already exists`);
  }
}

type Queryable = pg.Pool | pg.PoolClient;

export async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export async function insertEvent(
  db: Queryable,
  type: EventType,
  aggregateId: string,
  data: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `INSERT INTO outbox_events (event_id, event_type, aggregate_type, aggregate_id, payload) VALUES ($1, $2, $3, $4, $5)`,
    [randomUUID(), type, AGGREGATE_TYPE, aggregateId, JSON.stringify(data)],
  );
}

function createdData(item: RequestItem): Record<string, unknown> {
  return { client_request_id: item.clientRequestId, mode: item.mode, model: item.model, max_tokens: item.maxTokens, status: 'queued' };
}

/**
 * Inserts one request with its created event. Returns `created: false` and the existing
 * row when the client_request_id is already taken (ON CONFLICT waits for a concurrent
 * insert of the same key to finish, so the answer is race-free).
 */
export async function createRequest(pool: pg.Pool, item: RequestItem): Promise<{ created: boolean; row: Created }> {
  const created = await withTransaction(pool, async (c) => {
    const id = randomUUID();
    const r = await c.query<Created>(
      `INSERT INTO llm_requests (id, client_request_id, status, mode, model, max_tokens, messages)
       VALUES ($1, $2, 'queued', $3, $4, $5, $6)
       ON CONFLICT (client_request_id) DO NOTHING
       RETURNING id, status, client_request_id`,
      [id, item.clientRequestId, item.mode, item.model, item.maxTokens, JSON.stringify(item.messages)],
    );
    if (r.rowCount === 0) return null;
    await insertEvent(c, EVENT_TYPES.created, id, createdData(item));
    return r.rows[0]!;
  });
  if (created) return { created: true, row: created };
  const existing = await pool.query<Created>(
    'SELECT id, status, client_request_id FROM llm_requests WHERE client_request_id = $1',
    [item.clientRequestId],
  );
  if (!existing.rows[0]) throw new Error(`client_request_id ${item.clientRequestId} conflicted but no row was found`);
  return { created: false, row: existing.rows[0] };
}

async function firstExisting(db: Queryable, items: RequestItem[]): Promise<BatchConflict | null> {
  const ids = items.map((i) => i.clientRequestId).filter((x): x is string => x !== null);
  if (ids.length === 0) return null;
  const r = await db.query<{ client_request_id: string }>(
    'SELECT client_request_id FROM llm_requests WHERE client_request_id = ANY($1::text[])',
    [ids],
  );
  const taken = new Set(r.rows.map((x) => x.client_request_id));
  const index = items.findIndex((i) => i.clientRequestId !== null && taken.has(i.clientRequestId));
  return index < 0 ? null : new BatchConflict(index, items[index]!.clientRequestId!);
}

/** Inserts all items and their created events in one transaction, or nothing (BatchConflict). */
export async function createBatch(pool: pg.Pool, items: RequestItem[]): Promise<Created[]> {
  try {
    return await withTransaction(pool, async (c) => {
      const conflict = await firstExisting(c, items);
      if (conflict) throw conflict;
      const ids = items.map(() => randomUUID());
      const r = await c.query<Created>(
        `INSERT INTO llm_requests (id, client_request_id, status, mode, model, max_tokens, messages)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::jsonb[])
           AS t(id, client_request_id, status, mode, model, max_tokens, messages)
         RETURNING id, status, client_request_id`,
        [
          ids,
          items.map((i) => i.clientRequestId),
          items.map(() => 'queued'),
          items.map((i) => i.mode),
          items.map((i) => i.model),
          items.map((i) => i.maxTokens),
          items.map((i) => JSON.stringify(i.messages)),
        ],
      );
      await c.query(
        `INSERT INTO outbox_events (event_id, event_type, aggregate_type, aggregate_id, payload)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
        [
          ids.map(() => randomUUID()),
          ids.map(() => EVENT_TYPES.created),
          ids.map(() => AGGREGATE_TYPE),
          ids,
          items.map((i) => JSON.stringify(createdData(i))),
        ],
      );
      const byId = new Map(r.rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id)!);
    });
  } catch (err) {
    // A concurrent transaction committed one of our keys between the check and the insert.
    if ((err as { code?: string }).code === '23505') {
      const conflict = await firstExisting(pool, items);
      if (conflict) throw conflict;
    }
    throw err;
  }
}

export async function getRequest(db: Queryable, id: string): Promise<RequestRow | null> {
  const r = await db.query<RequestRow>('SELECT * FROM llm_requests WHERE id = $1', [id]);
  return r.rows[0] ?? null;
}

/**
 * Marks a delivery as started; returns the row, or null when the request is unknown or
 * already finished (a redelivery of a job that committed but was not acknowledged).
 */
export async function startDelivery(db: Queryable, id: string): Promise<RequestRow | null> {
  const r = await db.query<RequestRow>(
    `UPDATE llm_requests SET status = 'processing', deliveries = deliveries + 1,
            started_at = COALESCE(started_at, clock_timestamp())
      WHERE id = $1 AND status IN ('queued', 'processing')
      RETURNING *`,
    [id],
  );
  return r.rows[0] ?? null;
}

export interface Outcome {
  status: 'completed' | 'failed';
  result?: string;
  error?: string;
  inputTokens?: number;
  outputTokens?: number;
  attempts: number;
  llmMs: number;
}

/** Stores the outcome and its event in one transaction; false when another delivery finished it first. */
export async function finishRequest(pool: pg.Pool, id: string, o: Outcome): Promise<boolean> {
  return withTransaction(pool, async (c) => {
    const r = await c.query<{ client_request_id: string | null; created_at: Date; completed_at: Date }>(
      `UPDATE llm_requests SET status = $2, result = $3, error = $4, input_tokens = $5, output_tokens = $6,
              attempts = attempts + $7, llm_ms = $8, completed_at = clock_timestamp()
        WHERE id = $1 AND status IN ('queued', 'processing')
        RETURNING client_request_id, created_at, completed_at`,
      [id, o.status, o.result ?? null, o.error ?? null, o.inputTokens ?? null, o.outputTokens ?? null, o.attempts, o.llmMs],
    );
    const row = r.rows[0];
    if (!row) return false;
    const usage = o.inputTokens === undefined ? null : { input_tokens: o.inputTokens, output_tokens: o.outputTokens ?? 0 };
    const data =
      o.status === 'completed'
        ? { client_request_id: row.client_request_id, status: o.status, result: o.result, usage, attempts: o.attempts, llm_ms: o.llmMs }
        : { client_request_id: row.client_request_id, status: o.status, error: o.error, attempts: o.attempts, llm_ms: o.llmMs };
    await insertEvent(c, o.status === 'completed' ? EVENT_TYPES.completed : EVENT_TYPES.failed, id, data);
    return true;
  });
}

export interface OutboxRow {
  id: string;
  event_id: string;
  event_type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** The oldest unpublished events (the partial index serves this). */
export async function fetchUnpublished(db: Queryable, limit: number): Promise<OutboxRow[]> {
  const r = await db.query<OutboxRow>(
    `SELECT id, event_id, event_type, aggregate_type, aggregate_id, payload, created_at
       FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT $1`,
    [limit],
  );
  return r.rows;
}

export async function markPublished(db: Queryable, ids: string[]): Promise<void> {
  await db.query('UPDATE outbox_events SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])', [ids]);
}

export async function outboxBacklog(db: Queryable): Promise<number> {
  const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL');
  return Number(r.rows[0]!.n);
}
