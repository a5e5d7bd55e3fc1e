/**
 * Every SQL statement of the service. A state change and its outbox event are written
 * atomically, by one statement with data-modifying CTEs (one round trip instead of
 * BEGIN/INSERT/INSERT/COMMIT); the worker's final update is conditional on the request not
 * being finished yet, so a redelivered job can never complete a request twice.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AGGREGATE_TYPE, EVENT_TYPES, type RequestStatus } from '../constants.ts';
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
  constructor(
    readonly index: number,
    readonly clientRequestId: string,
  ) {
    super(`requests[${index}].client_request_id ${JSON.stringify(clientRequestId)} already exists`);
  }
}

type Queryable = pg.Pool | pg.PoolClient;

function createdData(item: RequestItem): Record<string, unknown> {
  return {
    client_request_id: item.clientRequestId,
    mode: item.mode,
    model: item.model,
    max_tokens: item.maxTokens,
    status: 'queued',
  };
}

/**
 * Inserts one request with its created event in ONE statement (data-modifying CTEs run
 * atomically: both rows or neither), one round trip. Returns `created: false` and the
 * existing row when the client_request_id is already taken (ON CONFLICT waits for a
 * concurrent insert of the same key to finish, so the answer is race-free).
 */
export async function createRequest(pool: pg.Pool, item: RequestItem): Promise<{ created: boolean; row: Created }> {
  const id = randomUUID();
  const r = await pool.query<Created>(
    `WITH r AS (
       INSERT INTO llm_requests (id, client_request_id, status, mode, model, max_tokens, messages)
       VALUES ($1, $2, 'queued', $3, $4, $5, $6)
       ON CONFLICT (client_request_id) DO NOTHING
       RETURNING id, status, client_request_id
     ), e AS (
       INSERT INTO outbox_events (event_id, event_type, aggregate_type, aggregate_id, payload)
       SELECT $7, $8, $9, r.id::text, $10::jsonb FROM r
     )
     SELECT id, status, client_request_id FROM r`,
    [
      id,
      item.clientRequestId,
      item.mode,
      item.model,
      item.maxTokens,
      JSON.stringify(item.messages),
      randomUUID(),
      EVENT_TYPES.created,
      AGGREGATE_TYPE,
      JSON.stringify(createdData(item)),
    ],
  );
  if (r.rows[0]) return { created: true, row: r.rows[0] };
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

/**
 * Inserts all items and their created events in one statement, or nothing. On a unique
 * violation (a key that exists, or committed concurrently) the statement wrote nothing;
 * the offending item is then found by a lookup and reported as a BatchConflict.
 */
export async function createBatch(pool: pg.Pool, items: RequestItem[]): Promise<Created[]> {
  const ids = items.map(() => randomUUID());
  try {
    const r = await pool.query<Created>(
      `WITH r AS (
         INSERT INTO llm_requests (id, client_request_id, status, mode, model, max_tokens, messages)
         SELECT t.id, t.client_request_id, 'queued', t.mode, t.model, t.max_tokens, t.messages
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::jsonb[])
             AS t(id, client_request_id, mode, model, max_tokens, messages)
         RETURNING id, status, client_request_id
       ), e AS (
         INSERT INTO outbox_events (event_id, event_type, aggregate_type, aggregate_id, payload)
         SELECT t.event_id, $8, $9, t.aggregate_id::text, t.payload
           FROM unnest($7::uuid[], $1::uuid[], $10::jsonb[]) AS t(event_id, aggregate_id, payload)
       )
       SELECT id, status, client_request_id FROM r`,
      [
        ids,
        items.map((i) => i.clientRequestId),
        items.map((i) => i.mode),
        items.map((i) => i.model),
        items.map((i) => i.maxTokens),
        items.map((i) => JSON.stringify(i.messages)),
        ids.map(() => randomUUID()),
        EVENT_TYPES.created,
        AGGREGATE_TYPE,
        items.map((i) => JSON.stringify(createdData(i))),
      ],
    );
    const byId = new Map(r.rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id)!);
  } catch (err) {
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

/**
 * Stores the outcome and its event in one statement (atomic, one round trip); false when
 * another delivery finished the request first (then no event is written either).
 */
export async function finishRequest(pool: pg.Pool, id: string, o: Outcome): Promise<boolean> {
  const usage =
    o.inputTokens === undefined ? null : { input_tokens: o.inputTokens, output_tokens: o.outputTokens ?? 0 };
  const data =
    o.status === 'completed'
      ? { status: o.status, result: o.result, usage, attempts: o.attempts, llm_ms: o.llmMs }
      : { status: o.status, error: o.error, attempts: o.attempts, llm_ms: o.llmMs };
  const r = await pool.query<{ n: number }>(
    `WITH u AS (
       UPDATE llm_requests SET status = $2, result = $3, error = $4, input_tokens = $5, output_tokens = $6,
              attempts = attempts + $7, llm_ms = $8, completed_at = clock_timestamp()
        WHERE id = $1 AND status IN ('queued', 'processing')
        RETURNING client_request_id
     ), e AS (
       INSERT INTO outbox_events (event_id, event_type, aggregate_type, aggregate_id, payload)
       SELECT $9, $10, $11, $1::text, jsonb_build_object('client_request_id', u.client_request_id) || $12::jsonb FROM u
     )
     SELECT count(*)::int AS n FROM u`,
    [
      id,
      o.status,
      o.result ?? null,
      o.error ?? null,
      o.inputTokens ?? null,
      o.outputTokens ?? null,
      o.attempts,
      o.llmMs,
      randomUUID(),
      o.status === 'completed' ? EVENT_TYPES.completed : EVENT_TYPES.failed,
      AGGREGATE_TYPE,
      JSON.stringify(data),
    ],
  );
  return r.rows[0]!.n === 1;
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
