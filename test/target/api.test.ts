/**
 * Integration: the HTTP API and the queue worker against real Redis and PostgreSQL
 * (local provider) with the mock LLM; the relay is off here (Kafka is in outbox.test.ts),
 * so outbox rows are asserted in the database.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { spawnTarget, startTarget, type RunningTarget } from '../../target/index.ts';
import { migrate } from '../../target/db/migrations.ts';
import { createRequest } from '../../target/db/repository.ts';
import { RedisQueue } from '../../target/queue.ts';
import { RequeueSweeper } from '../../target/requeue.ts';
import { validateItem } from '../../target/validation.ts';
import { call, QUIET_LLM, waitFinished, waitFor } from './helpers.ts';

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
      llmMaxRetries: 5,
    },
    { log: (level, msg, fields) => level !== 'info' && console.error('target:', level, msg, fields) },
  );
  base = target.url;
  pool = new pg.Pool({ connectionString: infra.endpoints.postgres!.url, max: 2 });
  pool.on('error', () => {}); // the server going down at teardown
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

/** Waits until no request is queued or processing, so that row counts stay still. */
async function settled(): Promise<void> {
  await waitFor('all requests to finish', async () => {
    const r = await pool.query("SELECT count(*)::int AS n FROM llm_requests WHERE status IN ('queued', 'processing')");
    return r.rows[0].n === 0 ? true : undefined;
  });
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
    await settled();
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

describe('bad input', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a body that is not an object', [1, 2], 'body'],
    ['no mode', { prompt: 'x' }, 'mode'],
    ['an unknown mode', { prompt: 'x', mode: 'fast' }, 'mode'],
    ['neither messages nor prompt', { mode: 'quick' }, 'messages'],
    ['both messages and prompt', { prompt: 'x', messages: [{ role: 'user', content: 'y' }], mode: 'quick' }, 'prompt'],
    ['an empty prompt', { prompt: '', mode: 'quick' }, 'prompt'],
    ['an empty messages array', { messages: [], mode: 'quick' }, 'messages'],
    ['a message with a bad role', { messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'b' }], mode: 'quick' }, 'messages[1].role'],
    ['a message without content', { messages: [{ role: 'user' }], mode: 'quick' }, 'messages[0].content'],
    ['a message with an unknown field', { messages: [{ role: 'user', content: 'a', name: 'x' }], mode: 'quick' }, 'messages[0].name'],
    ['max_tokens of 0', { prompt: 'x', mode: 'quick', max_tokens: 0 }, 'max_tokens'],
    ['max_tokens over 8192', { prompt: 'x', mode: 'quick', max_tokens: 8193 }, 'max_tokens'],
    ['a fractional max_tokens', { prompt: 'x', mode: 'quick', max_tokens: 1.5 }, 'max_tokens'],
    ['an empty client_request_id', { prompt: 'x', mode: 'quick', client_request_id: '' }, 'client_request_id'],
    ['a client_request_id over 128 characters', { prompt: 'x', mode: 'quick', client_request_id: 'a'.repeat(129) }, 'client_request_id'],
    ['a numeric model', { prompt: 'x', mode: 'quick', model: 7 }, 'model'],
    ['an unknown field', { prompt: 'x', mode: 'quick', temperature: 1 }, 'temperature'],
  ];
  for (const [what, body, field] of cases) {
    it(`answers 400 naming ${field} for ${what}`, async () => {
      const r = await call('POST', `${base}/v1/requests`, body);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'invalid_request');
      assert.equal(r.body.error.field, field);
      assert.match(r.body.error.message, new RegExp(field.replace(/[[\]]/g, '\\$&')));
    });
  }

  it('answers 400 naming the item path for a bad batch item', async () => {
    const r = await call('POST', `${base}/v1/batch`, { requests: [item(), item({ messages: [{ role: 'bot', content: 'x' }], prompt: undefined })] });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'requests[1].messages[0].role');
  });

  it('answers 400 naming requests for a batch over the configured maximum', async () => {
    const r = await call('POST', `${base}/v1/batch`, { requests: Array.from({ length: 6 }, () => item()) });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'requests');
  });

  it('answers 400 naming the body for malformed JSON', async () => {
    const r = await call('POST', `${base}/v1/requests`, '{"prompt": ');
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'body');
  });

  it('answers 400 naming the content-type for a non-JSON body', async () => {
    const r = await call('POST', `${base}/v1/requests`, 'prompt=x', { 'content-type': 'text/plain' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'content-type');
  });

  it('answers 413 for a body over the limit', async () => {
    const r = await call('POST', `${base}/v1/requests`, item({ prompt: 'x'.repeat(5000) }));
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'payload_too_large');
  });

  it('answers 400 naming id for a malformed request id', async () => {
    const r = await call('GET', `${base}/v1/requests/not-a-uuid`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'id');
  });

  it('answers 404 for an unknown request id', async () => {
    const r = await call('GET', `${base}/v1/requests/00000000-0000-4000-8000-000000000000`);
    assert.equal(r.status, 404);
  });

  it('answers 404 for an unknown route', async () => {
    assert.equal((await call('GET', `${base}/v2/nothing`)).status, 404);
  });

  it('answers 405 with an allow header for a wrong method', async () => {
    const r = await call('DELETE', `${base}/v1/requests`);
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'POST');
  });
});

describe('health and metrics', () => {
  it('reports redis and postgres ok and kafka disabled on /healthz', async () => {
    const r = await call('GET', `${base}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { redis: 'ok', postgres: 'ok', kafka: 'disabled' });
  });

  it('exposes queue depth, in-flight jobs, outbox backlog, LLM latency and request counts on /metrics', async () => {
    const r = await call('GET', `${base}/metrics`);
    assert.equal(r.status, 200);
    for (const name of ['target_queue_depth{state="waiting"}', 'target_jobs_in_flight', 'target_outbox_backlog', 'target_llm_call_duration_seconds_bucket', 'target_relay_publish_lag_seconds', 'target_http_requests_total{route="/v1/requests",method="POST",status="202"}']) {
      assert.ok(r.body.includes(name), `missing ${name}`);
    }
  });
});

describe('LLM errors', () => {
  after(async () => {
    await call('PUT', `${llm.url}/__admin/config`, QUIET_LLM);
  });

  it('retries 429 (retry-after) and 529 answers and completes the request', async () => {
    await call('PUT', `${llm.url}/__admin/config`, { errors: { ...QUIET_LLM.errors, rateLimit: 0.3, overloaded: 0.2, retryAfterSeconds: 0 } });
    llm.reset();
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await call('POST', `${base}/v1/requests`, item({ prompt: `retry me ${i}` }))).body.id);
    const done = await Promise.all(ids.map((id) => waitFinished(base, id)));
    const statuses = llm.stats().requests['POST /v1/messages'] ?? {};
    assert.ok((statuses['429'] ?? 0) > 0 && (statuses['529'] ?? 0) > 0, `the stub served ${JSON.stringify(statuses)}`);
    assert.deepEqual(done.map((d) => d.status), Array(6).fill('completed'));
    assert.ok(done.some((d) => d.attempts > 1), 'no request needed a retry');
    const attempts = done.reduce((n, d) => n + d.attempts, 0);
    assert.equal(attempts, (statuses['200'] ?? 0) + (statuses['429'] ?? 0) + (statuses['529'] ?? 0));
  });

  it('marks the request failed with a failed event when the retries are exhausted', async () => {
    await call('PUT', `${llm.url}/__admin/config`, { errors: { ...QUIET_LLM.errors, overloaded: 1 } });
    const r = await call('POST', `${base}/v1/requests`, item({ prompt: 'always overloaded' }));
    const done = await waitFinished(base, r.body.id);
    assert.equal(done.status, 'failed');
    assert.equal(done.attempts, 6);
    assert.match(done.error, /529/);
    assert.deepEqual(await eventsOf(r.body.id), ['llm.request.created.v1', 'llm.request.failed.v1']);
  });
});

describe('a worker killed mid-job', () => {
  it('has its job recovered by another worker and completed exactly once in the database', async () => {
    const queueKey = 'llm:crash-test';
    const spawnConfig = {
      redisUrl: infra.endpoints.redis!.url,
      databaseUrl: infra.endpoints.postgres!.url,
      kafkaBrokers: [],
      llmUrl: llm.url,
      queueKey,
      visibilityTimeoutMs: 1000,
    };
    // The stub answers slowly, so the job is mid-call when the worker dies.
    await call('PUT', `${llm.url}/__admin/config`, { latency: { ttftMs: 3000, itlMs: 0 } });
    const first = await spawnTarget({ ...spawnConfig, roles: ['api', 'worker'] });
    let second: Awaited<ReturnType<typeof spawnTarget>> | undefined;
    try {
      const r = await call('POST', `${first.url}/v1/requests`, item({ prompt: 'crash me' }));
      await waitFor('the job to start', async () => ((await call('GET', `${first.url}/v1/requests/${r.body.id}`)).body.status === 'processing' ? true : undefined));
      process.kill(first.pid, 'SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');
      await call('PUT', `${llm.url}/__admin/config`, QUIET_LLM);
      second = await spawnTarget({ ...spawnConfig, roles: ['worker'] });
      const done = await waitFinished(base, r.body.id);
      assert.equal(done.status, 'completed');
      const row = await pool.query('SELECT deliveries FROM llm_requests WHERE id = $1', [r.body.id]);
      assert.equal(row.rows[0].deliveries, 2);
      assert.deepEqual(await eventsOf(r.body.id), ['llm.request.created.v1', 'llm.request.completed.v1']);
      const pending = (await redis.xpending(queueKey, 'llm-workers')) as [number];
      assert.equal(pending[0], 0);
    } finally {
      await call('PUT', `${llm.url}/__admin/config`, QUIET_LLM);
      await first.stop();
      await second?.stop();
    }
  });
});

describe('resilience', () => {
  it('recreates the queue after FLUSHDB and keeps processing', async () => {
    await redis.flushdb();
    const r = await call('POST', `${base}/v1/requests`, item({ prompt: 'after flush' }));
    assert.equal(r.status, 202);
    assert.equal((await waitFinished(base, r.body.id)).status, 'completed');
  });

  it('applies the migrations concurrently without error, each recorded once', async () => {
    await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
    const r = await pool.query('SELECT version, count(*)::int AS n FROM target_schema_migrations GROUP BY version');
    assert.ok(r.rows.length >= 1);
    for (const row of r.rows) assert.equal(row.n, 1);
  });

  it('finishes the in-flight job on SIGTERM before exiting with 0', async () => {
    const queueKey = 'llm:shutdown-test';
    await call('PUT', `${llm.url}/__admin/config`, { latency: { ttftMs: 1500, itlMs: 0 } });
    const child = await spawnTarget({
      redisUrl: infra.endpoints.redis!.url, databaseUrl: infra.endpoints.postgres!.url, kafkaBrokers: [], llmUrl: llm.url,
      queueKey, roles: ['api', 'worker'],
    });
    try {
      const r = await call('POST', `${child.url}/v1/requests`, item({ prompt: 'finish me' }));
      await waitFor('the job to start', async () => ((await call('GET', `${child.url}/v1/requests/${r.body.id}`)).body.status === 'processing' ? true : undefined));
      await child.stop();
      assert.equal(await child.exited, 0);
      const row = await pool.query('SELECT status FROM llm_requests WHERE id = $1', [r.body.id]);
      assert.equal(row.rows[0].status, 'completed');
      assert.equal(((await redis.xpending(queueKey, 'llm-workers')) as [number])[0], 0);
    } finally {
      await call('PUT', `${llm.url}/__admin/config`, QUIET_LLM);
      await child.stop();
    }
  });
});

describe('requeue sweeper', () => {
  it('puts back on the queue a committed request that never reached Redis, and it completes', async () => {
    const validated = validateItem({ prompt: 'never enqueued', mode: 'quick' }, '', 'claude-sonnet-4-5');
    assert.ok(validated.ok);
    const { row } = await createRequest(pool, validated.value); // committed, no XADD: as if Redis failed
    const sweeper = new RequeueSweeper({ pool, redis, queue: new RedisQueue({ key: 'llm:requests:queue', group: 'llm-workers', consumer: 'test' }), staleMs: 1, log: () => {} });
    await new Promise((r) => setTimeout(r, 5));
    assert.ok((await sweeper.sweep()) >= 1);
    assert.equal((await waitFinished(base, row.id)).status, 'completed');
  });
});

describe('health when a dependency is down', () => {
  it('answers 503 naming Redis when its server is gone, and still shuts down', async () => {
    // A Redis server of this test's own, so killing it leaves the file's infra alone.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      const url = `redis://127.0.0.1:${port}`;
      await waitFor('the test Redis', async () => {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => {});
        const ok = await probe.connect().then(() => true, () => undefined);
        probe.disconnect();
        return ok;
      });
      const t = await startTarget(
        { redisUrl: url, databaseUrl: infra.endpoints.postgres!.url, kafkaBrokers: [], llmUrl: llm.url, roles: ['api'] },
        { log: () => {} },
      );
      try {
        assert.equal((await call('GET', `${t.url}/healthz`)).status, 200);
        server.kill('SIGKILL');
        await new Promise((r) => server.once('exit', r));
        const h = await call('GET', `${t.url}/healthz`);
        assert.equal(h.status, 503);
        assert.match(h.body.redis, /^down/);
        assert.equal(h.body.postgres, 'ok');
      } finally {
        await t.stop();
      }
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  });
});
