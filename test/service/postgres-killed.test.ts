/**
 * Integration: the PostgreSQL server killed (kill -9 of the postmaster) under a running
 * target with all its roles (api, worker, relay) and requests in flight. The target
 * must log and fail requests, never crash on an unhandled 'error' from a pg client it
 * holds (the relay's lock connection is checked out for good). Real Redis, PostgreSQL
 * and Kafka from the local provider; the target runs as a child process so that a
 * crash is observed, not suffered.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { RELAY_LOCK_KEY } from '../../service/constants.ts';
import { spawnTarget, type SpawnedTarget } from '../../service/index.ts';
import { assertGone, traceOf } from '../infra/helpers.ts';
import { call, QUIET_LLM, waitFinished, waitFor } from './helpers.ts';

let infra: InfraHandle;
let llm: MockLlm;
let target: SpawnedTarget;
let exitedWith: number | string | undefined;
const dir = mkdtempSync(join(tmpdir(), 'target-pg-killed-'));
const logFile = join(dir, 'target.log');

before(async () => {
  infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent' });
  // Slow enough that requests are still at the LLM when PostgreSQL goes.
  llm = await startMockLlm({ port: 0, seed: 42, config: { ...QUIET_LLM, latency: { ttftMs: 800, itlMs: 0 } } });
  target = await spawnTarget(
    {
      redisUrl: infra.endpoints.redis!.url,
      databaseUrl: infra.endpoints.postgres!.url,
      kafkaBrokers: infra.endpoints.kafka!.brokers,
      llmUrl: llm.url,
      relayPollMs: 20,
      requeueStaleMs: 500,
      shutdownTimeoutMs: 2000,
    },
    { logFile },
  );
  void target.exited.then((code) => (exitedWith = code));
});

after(async () => {
  await target?.stop();
  await llm?.stop();
  await infra?.down();
  rmSync(dir, { recursive: true, force: true });
  // The killed server's leftovers (its backends, port, temp dir) are gone with the rest.
  for (const s of infra?.services ?? []) await assertGone(traceOf(s));
});

/** True while the relay holds its advisory lock (on a pool client it keeps checked out). */
async function relayOwnsTheOutbox(): Promise<boolean> {
  const pool = new pg.Pool({ connectionString: infra.endpoints.postgres!.url, max: 1 });
  pool.on('error', () => {});
  try {
    const r = await pool.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1`,
      [RELAY_LOCK_KEY],
    );
    return r.rows[0].n === 1;
  } finally {
    await pool.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fails naming the exit and the log's tail when the target is gone; `cause` is a failed call to it. */
async function assertAlive(cause?: unknown): Promise<void> {
  if (cause !== undefined) await Promise.race([target.exited, sleep(2000)]);
  assert.equal(
    exitedWith,
    undefined,
    `the target exited (${exitedWith}); the end of its log:\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
  );
  if (cause !== undefined) throw cause;
}

/** A call to the target; a connection failure is reported as the target's death when it died. */
const ask = (method: string, path: string, body?: unknown) =>
  call(method, `${target.url}${path}`, body).catch(assertAlive) as ReturnType<typeof call>;

describe('PostgreSQL killed under a running target', () => {
  it('keeps the target process alive: /healthz names postgres down, requests fail with 500, nothing crashes', async () => {
    const first = await call('POST', `${target.url}/v1/requests`, { prompt: 'before the kill', mode: 'quick' });
    assert.equal(first.status, 202);
    assert.equal((await waitFinished(target.url, first.body.id)).status, 'completed');
    await waitFor('the relay to own the outbox', async () => ((await relayOwnsTheOutbox()) ? true : undefined));
    for (let i = 0; i < 4; i++) {
      assert.equal(
        (await call('POST', `${target.url}/v1/requests`, { prompt: `in flight ${i}`, mode: 'quick' })).status,
        202,
      );
    }

    const postgres = infra.services.find((s) => s.name === 'postgres')!;
    assert.ok(postgres.pid, 'the local provider gives the postmaster pid');
    process.kill(postgres.pid, 'SIGKILL');

    const health = await waitFor('/healthz to report postgres down', async () => {
      const h = await ask('GET', '/healthz');
      return h.status === 503 ? h : undefined;
    });
    assert.match(health.body.postgres, /^down/);
    assert.equal(health.body.redis, 'ok');
    // Past the LLM latency: the in-flight jobs now try to store their outcome, the relay
    // and the sweeper poll the dead server, and each failure is logged and retried.
    await sleep(3000);
    await assertAlive();
    const refused = await ask('POST', '/v1/requests', { prompt: 'after the kill', mode: 'quick' });
    assert.equal(refused.status, 500);
    assert.equal(refused.body.error.code, 'internal_error');
    assert.equal((await ask('GET', '/healthz')).status, 503);
    await assertAlive();

    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /PostgreSQL connection lost/);
    assert.match(log, /relay batch failed; retrying/);
    assert.match(log, /job failed; left for redelivery/); // the in-flight requests, left pending in Redis
  });
});
