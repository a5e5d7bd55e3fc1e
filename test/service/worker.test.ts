/**
 * Integration: the queue worker against real Redis and PostgreSQL (local provider) and
 * the mock LLM: LLM errors and retries, a worker killed mid-job, poison jobs, graceful
 * shutdown, FLUSHDB recovery, the requeue sweeper.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnTarget } from '../../service/index.ts';
import { migrate } from '../../service/db/migrations.ts';
import { createRequest } from '../../service/db/repository.ts';
import { RedisQueue } from '../../service/queue.ts';
import { RequeueSweeper } from '../../service/requeue.ts';
import { validateItem } from '../../service/validation.ts';
import { call, QUIET_LLM, waitFinished, waitFor } from './helpers.ts';
import { eventsOf as eventsIn, item, startStack, type Stack } from './stack.ts';

let stack: Stack;
let base: string;

before(async () => {
  stack = await startStack();
  base = stack.base;
});

after(async () => {
  await stack?.stop();
});

const eventsOf = (id: string) => eventsIn(stack.pool, id);

describe('LLM errors', () => {
  after(async () => {
    await call('PUT', `${stack.llm.url}/__admin/config`, QUIET_LLM);
  });

  it('retries 429 (retry-after) and 529 answers and completes the request', async () => {
    await call('PUT', `${stack.llm.url}/__admin/config`, {
      errors: { ...QUIET_LLM.errors, rateLimit: 0.3, overloaded: 0.2, retryAfterSeconds: 0 },
    });
    stack.llm.reset();
    const ids = [];
    for (let i = 0; i < 6; i++)
      ids.push((await call('POST', `${base}/v1/requests`, item({ prompt: `retry me ${i}` }))).body.id);
    const done = await Promise.all(ids.map((id) => waitFinished(base, id)));
    const statuses = stack.llm.stats().requests['POST /v1/messages'] ?? {};
    assert.ok((statuses['429'] ?? 0) > 0 && (statuses['529'] ?? 0) > 0, `the stub served ${JSON.stringify(statuses)}`);
    assert.deepEqual(
      done.map((d) => d.status),
      Array(6).fill('completed'),
    );
    assert.ok(
      done.some((d) => d.attempts > 1),
      'no request needed a retry',
    );
    const attempts = done.reduce((n, d) => n + d.attempts, 0);
    assert.equal(attempts, (statuses['200'] ?? 0) + (statuses['429'] ?? 0) + (statuses['529'] ?? 0));
  });

  it('marks the request failed with a failed event when the retries are exhausted', async () => {
    await call('PUT', `${stack.llm.url}/__admin/config`, { errors: { ...QUIET_LLM.errors, overloaded: 1 } });
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
      redisUrl: stack.infra.endpoints.redis!.url,
      databaseUrl: stack.infra.endpoints.postgres!.url,
      kafkaBrokers: [],
      llmUrl: stack.llm.url,
      queueKey,
      visibilityTimeoutMs: 1000,
    };
    // The stub answers slowly, so the job is mid-call when the worker dies.
    await call('PUT', `${stack.llm.url}/__admin/config`, { latency: { ttftMs: 3000, itlMs: 0 } });
    const first = await spawnTarget({ ...spawnConfig, roles: ['api', 'worker'] });
    let second: Awaited<ReturnType<typeof spawnTarget>> | undefined;
    try {
      const r = await call('POST', `${first.url}/v1/requests`, item({ prompt: 'crash me' }));
      await waitFor('the job to start', async () =>
        (await call('GET', `${first.url}/v1/requests/${r.body.id}`)).body.status === 'processing' ? true : undefined,
      );
      process.kill(first.pid, 'SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');
      await call('PUT', `${stack.llm.url}/__admin/config`, QUIET_LLM);
      second = await spawnTarget({ ...spawnConfig, roles: ['worker'] });
      const done = await waitFinished(base, r.body.id);
      assert.equal(done.status, 'completed');
      const row = await stack.pool.query('SELECT deliveries FROM llm_requests WHERE id = $1', [r.body.id]);
      assert.equal(row.rows[0].deliveries, 2);
      assert.deepEqual(await eventsOf(r.body.id), ['llm.request.created.v1', 'llm.request.completed.v1']);
      const pending = (await stack.redis.xpending(queueKey, 'llm-workers')) as [number];
      assert.equal(pending[0], 0);
    } finally {
      await call('PUT', `${stack.llm.url}/__admin/config`, QUIET_LLM);
      await first.stop();
      await second?.stop();
    }
  });
});

describe('resilience', () => {
  it('recreates the queue after FLUSHDB and keeps processing', async () => {
    await stack.redis.flushdb();
    const r = await call('POST', `${base}/v1/requests`, item({ prompt: 'after flush' }));
    assert.equal(r.status, 202);
    assert.equal((await waitFinished(base, r.body.id)).status, 'completed');
  });

  it('applies the migrations concurrently without error, each recorded once', async () => {
    await Promise.all([migrate(stack.pool), migrate(stack.pool), migrate(stack.pool)]);
    const r = await stack.pool.query(
      'SELECT version, count(*)::int AS n FROM target_schema_migrations GROUP BY version',
    );
    assert.ok(r.rows.length >= 1);
    for (const row of r.rows) assert.equal(row.n, 1);
  });

  it('finishes the in-flight job on SIGTERM before exiting with 0', async () => {
    const queueKey = 'llm:shutdown-test';
    await call('PUT', `${stack.llm.url}/__admin/config`, { latency: { ttftMs: 1500, itlMs: 0 } });
    const child = await spawnTarget({
      redisUrl: stack.infra.endpoints.redis!.url,
      databaseUrl: stack.infra.endpoints.postgres!.url,
      kafkaBrokers: [],
      llmUrl: stack.llm.url,
      queueKey,
      roles: ['api', 'worker'],
    });
    try {
      const r = await call('POST', `${child.url}/v1/requests`, item({ prompt: 'finish me' }));
      await waitFor('the job to start', async () =>
        (await call('GET', `${child.url}/v1/requests/${r.body.id}`)).body.status === 'processing' ? true : undefined,
      );
      await child.stop();
      assert.equal(await child.exited, 0);
      const row = await stack.pool.query('SELECT status FROM llm_requests WHERE id = $1', [r.body.id]);
      assert.equal(row.rows[0].status, 'completed');
      assert.equal(((await stack.redis.xpending(queueKey, 'llm-workers')) as [number])[0], 0);
    } finally {
      await call('PUT', `${stack.llm.url}/__admin/config`, QUIET_LLM);
      await child.stop();
    }
  });
});

describe('requeue sweeper', () => {
  it('puts back on the queue a committed request that never reached Redis, and it completes', async () => {
    const validated = validateItem({ prompt: 'never enqueued', mode: 'quick' }, '', 'claude-sonnet-4-5');
    assert.ok(validated.ok);
    const { row } = await createRequest(stack.pool, validated.value); // committed, no XADD: as if Redis failed
    const sweeper = new RequeueSweeper({
      pool: stack.pool,
      redis: stack.redis,
      queue: new RedisQueue({ key: 'llm:requests:queue', group: 'llm-workers', consumer: 'test' }),
      staleMs: 1,
      log: () => {},
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.ok((await sweeper.sweep()) >= 1);
    assert.equal((await waitFinished(base, row.id)).status, 'completed');
  });
});

describe('a job that keeps killing its worker', () => {
  it('is failed as poison once its deliveries exceed MAX_DELIVERIES, with a failed event', async () => {
    const config = { ...stack.config, queueKey: 'llm:poison-test', visibilityTimeoutMs: 1000, maxDeliveries: 1 };
    // The crash hook: the worker SIGKILLs its process after the LLM answered, before the commit.
    const first = await spawnTarget({ ...config, roles: ['api', 'worker'], workerCrashAfterLlm: true });
    let second: Awaited<ReturnType<typeof spawnTarget>> | undefined;
    try {
      const r = await call('POST', `${first.url}/v1/requests`, item({ prompt: 'poison' }));
      assert.equal(await first.exited, 'SIGKILL');
      const row = await stack.pool.query('SELECT status FROM llm_requests WHERE id = $1', [r.body.id]);
      assert.equal(row.rows[0].status, 'processing', 'nothing was committed before the kill');
      second = await spawnTarget({ ...config, roles: ['worker'] });
      const done = await waitFinished(base, r.body.id);
      assert.equal(done.status, 'failed');
      assert.match(done.error, /abandoned after 1 deliveries/);
      assert.deepEqual(await eventsOf(r.body.id), ['llm.request.created.v1', 'llm.request.failed.v1']);
    } finally {
      await first.stop();
      await second?.stop();
    }
  });
});
