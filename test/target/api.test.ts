/**
 * Integration: the HTTP API and the queue worker against real Redis and PostgreSQL
 * (local provider) with the mock LLM; the relay is off here (Kafka is in outbox.test.ts),
 * so outbox rows are asserted in the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { startTarget, type RunningTarget } from '../../target/index.ts';
import { call, QUIET_LLM, waitFinished } from './helpers.ts';

let infra: InfraHandle;
let llm: MockLlm;
let target: RunningTarget;
let pool: pg.Pool;
let redis: Redis;
let base: string;

before(async () => {
  infra = await startInfra({ provider: 'local', services: ['redis', 'postgres'], progress: 'silent' });
  llm = await startMockLlm({ port: 0, seed: 42, config: QUIET_LLM });
  target = await startTarget(
    {
      redisUrl: infra.endpoints.redis!.url,
      databaseUrl: infra.endpoints.postgres!.url,
      kafkaBrokers: [],
      llmUrl: llm.url,
      roles: ['api', 'worker'],
      batchMax: 5,
      bodyLimitBytes: 4096,
      llmBackoffBaseMs: 5,
      llmMaxRetries: 2,
    },
    { log: () => {} },
  );
  base = target.url;
  pool = new pg.Pool({ connectionString: infra.endpoints.postgres!.url });
  redis = new Redis(infra.endpoints.redis!.url);
});

after(async () => {
  await target?.stop();
  await pool?.end();
  redis?.disconnect();
  await llm?.stop();
  await infra?.down();
});

const item = (extra: Record<string, unknown> = {}) => ({ prompt: 'Say hello', mode: 'quick', ...extra });

/** Entries ever added to the queue stream (XINFO STREAM entries-added, Redis >= 7). */
async function entriesAdded(): Promise<number> {
  const info = (await redis.xinfo('STREAM', 'llm:requests:queue')) as unknown[];
  return Number(info[info.indexOf('entries-added') + 1]);
}

async function eventsOf(id: string): Promise<string[]> {
  const r = await pool.query<{ event_type: string }>('SELECT event_type FROM outbox_events WHERE aggregate_id = $1 ORDER BY id', [id]);
  return r.rows.map((x) => x.event_type);
}

describe('POST /v1/requests', () => {
  it('accepts a request with 202 and the worker completes it with the LLM answer, usage and timings', async () => {
    const r = await call('POST', `${base}/v1/requests`, { messages: [{ role: 'user', content: 'Hi' }], mode: 'detailed' });
    assert.equal(r.status, 202);
    assert.equal(r.body.status, 'queued');
    assert.equal(r.body.client_request_id, null);
    const done = await waitFinished(base, r.body.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.mode, 'detailed');
    assert.equal(done.model, 'claude-sonnet-4-5');
    assert.ok(done.result.length > 0);
    assert.ok(done.usage.input_tokens > 0 && done.usage.output_tokens > 0);
    assert.equal(done.attempts, 1);
    assert.ok(done.timings.queue_ms >= 0 && done.timings.total_ms >= done.timings.queue_ms);
    assert.ok(done.timings.llm_ms >= 0);
  });

  it('writes a created and a completed outbox event for the request', async () => {
    const r = await call('POST', `${base}/v1/requests`, item());
    await waitFinished(base, r.body.id);
    assert.deepEqual(await eventsOf(r.body.id), ['llm.request.created.v1', 'llm.request.completed.v1']);
  });

  it('returns the existing request with 200 when the client_request_id is submitted again', async () => {
    const first = await call('POST', `${base}/v1/requests`, item({ client_request_id: 'idem-1' }));
    const again = await call('POST', `${base}/v1/requests`, item({ client_request_id: 'idem-1', prompt: 'other' }));
    assert.equal(first.status, 202);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.client_request_id, 'idem-1');
  });

  it('creates one request only when the same client_request_id arrives concurrently', async () => {
    const all = await Promise.all(Array.from({ length: 12 }, () => call('POST', `${base}/v1/requests`, item({ client_request_id: 'race-1' }))));
    assert.equal(all.filter((r) => r.status === 202).length, 1);
    assert.equal(all.filter((r) => r.status === 200).length, 11);
    assert.equal(new Set(all.map((r) => r.body.id)).size, 1);
    const rows = await pool.query("SELECT count(*)::int AS n FROM llm_requests WHERE client_request_id = 'race-1'");
    assert.equal(rows.rows[0].n, 1);
    assert.deepEqual((await eventsOf(all[0]!.body.id)).slice(0, 1), ['llm.request.created.v1']);
  });
});

describe('POST /v1/batch', () => {
  it('accepts all items with 202, in order, and completes each', async () => {
    const r = await call('POST', `${base}/v1/batch`, { requests: [item({ client_request_id: 'b-1' }), item({ mode: 'detailed' }), item({ client_request_id: 'b-3' })] });
    assert.equal(r.status, 202);
    assert.deepEqual(r.body.items.map((i: { client_request_id: string | null }) => i.client_request_id), ['b-1', null, 'b-3']);
    for (const i of r.body.items) assert.equal((await waitFinished(base, i.id)).status, 'completed');
  });

  it('answers 409 naming the index of an item that conflicts with an existing row, and writes nothing', async () => {
    await call('POST', `${base}/v1/requests`, item({ client_request_id: 'taken-1' }));
    const before = await pool.query('SELECT count(*)::int AS n FROM llm_requests');
    const beforeEvents = await pool.query('SELECT count(*)::int AS n FROM outbox_events');
    const r = await call('POST', `${base}/v1/batch`, { requests: [item({ client_request_id: 'fresh-1' }), item({ client_request_id: 'taken-1' })] });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'conflict');
    assert.equal(r.body.error.index, 1);
    const after = await pool.query('SELECT count(*)::int AS n FROM llm_requests');
    const afterEvents = await pool.query('SELECT count(*)::int AS n FROM outbox_events');
    assert.equal(after.rows[0].n, before.rows[0].n);
    assert.equal(afterEvents.rows[0].n, beforeEvents.rows[0].n);
    const fresh = await pool.query("SELECT 1 FROM llm_requests WHERE client_request_id = 'fresh-1'");
    assert.equal(fresh.rowCount, 0);
  });

  it('answers 409 naming the index of a client_request_id repeated within the batch', async () => {
    const r = await call('POST', `${base}/v1/batch`, { requests: [item({ client_request_id: 'd-1' }), item(), item({ client_request_id: 'd-1' })] });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.index, 2);
    const rows = await pool.query("SELECT 1 FROM llm_requests WHERE client_request_id = 'd-1'");
    assert.equal(rows.rowCount, 0);
  });

  it('enqueues nothing when the batch is refused', async () => {
    const before = await entriesAdded();
    const r = await call('POST', `${base}/v1/batch`, { requests: [item({ client_request_id: 'new-2' }), item({ client_request_id: 'taken-1' })] });
    assert.equal(r.status, 409);
    assert.equal(await entriesAdded(), before);
  });
});
